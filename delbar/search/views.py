"""The search results page, and the case list, which is the same page limited to cases."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import Organization
from delbar.search import engine
from delbar.search.forms import SearchForm
from delbar.search.kinds import KINDS, filters_of

RESULTS_PER_PAGE = 20
RESULTS_TEMPLATE = "search/_results.html"   # what htmx swaps in as the user types
FACET_LIMIT = 12          # values shown per facet, most frequent first
CLOSEST_WITHOUT_FILTERS = 3


def search_page(request):
    return render_results(request, kinds=None, template="search/search.html")


def render_results(request, *, kinds: list[str] | None, template: str, among: dict | None = None,
                   extra: dict | None = None):
    """The results page for `kinds` (None: everything), narrowed to `among` where given (a network's
    collection, engine.search), with `extra` in the template's context."""
    form = SearchForm(request.GET, kinds=kinds)  # always bound: with no parameters, every filter is off
    if not form.is_valid():
        # The filters are not fields on the page, so the summary names them and offers the way out.
        words = request.GET.copy()
        for name in list(words):
            if name not in ("q", "kind"):
                words.pop(name)
        context = {"form": form, "form_list": [form], "forms_with_errors": [form], "page": None, "facets": [],
                   "query": "", "clear_url": "?" + words.urlencode()}
        return render(request, RESULTS_TEMPLATE if request.htmx else template, {**(extra or {}), **context},
                      status=400)
    query, filters = form.query(), form.filters()
    # As the user types (htmx), the last word may be half-written: it is not corrected yet.
    result = engine.search(query, kinds=form.kinds(), filters=filters, user=request.user, sort=form.ordering(),
                           suggest=True, typing=bool(request.htmx) and not request.GET.get("q", "").endswith(" "),
                           among=among)
    page = Paginator(result.hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = engine.load_documents(page.object_list)
    decorate(page.object_list)
    parameters = request.GET.copy()
    parameters.pop("page", None)
    context = {
        **(extra or {}),
        "form": form,
        "result": result,
        "page": page,
        "query": parameters.urlencode(),
        "facets": [group for group in facet_groups(result.facets, parameters, kinds) if group["name"] != "kind"],
        **chosen_filters(form, filters, parameters),
    }
    if kinds is None:
        context["kinds_nav"] = kind_tabs(dict(result.facets.get("kind", [])), parameters)
    if result.suggestion:
        corrected = parameters.copy()
        corrected["q"] = result.suggestion
        context["suggestion_url"] = "?" + corrected.urlencode()
    if not page.object_list:
        context["advice"] = advice(request.user, query, form.kinds(), filters, parameters)
        context["advice"]["nearest"] = engine.load_documents(result.nearest)
    return render(request, RESULTS_TEMPLATE if request.htmx else template, context)


def decorate(hits) -> None:
    """Gives each hit on the page its buyer and the labels of its values, with one query per table."""
    organizations = Organization.objects.in_bulk({hit.document.organization_id for hit in hits} - {None})
    labels = {name: _labeller(name, declared) for name, declared in filters_of(
        sorted({hit.document.kind for hit in hits})).items()} if hits else {}
    by_kind = {kind: {item.name: dict(item.choices()) for item in KINDS[kind].filter_list() if item.choices}
               for kind in {hit.document.kind for hit in hits}}
    for hit in hits:
        document = hit.document
        hit.organization = organizations.get(document.organization_id)
        for name in ("sector", "county", "outcome", "procedure", "family", "signal", "category"):
            value = getattr(document, name)
            setattr(hit, f"{name}_label", str(labels[name]([value]).get(value, "")) if value and name in labels else "")
        # A status is worth saying for needs (open, solved …) and for cases that are not published.
        statuses = by_kind[document.kind].get("status", {})
        shown = document.kind == "need" or not document.public
        hit.status_label = str(statuses.get(document.status, "")) if document.status and shown else ""


def _labeller(name, declared):
    """values -> {value: label} for one filter, memoised for the page."""
    if name == "kind":
        return lambda values: {value: str(KINDS[value].label) for value in values if value in KINDS}
    if declared.labels is not None:
        return declared.labels
    if declared.choices is None:
        return lambda values: {}
    cache = {}

    def labels(values):
        if not cache:
            cache.update({str(value): str(label) for value, label in declared.choices()})
        return {value: cache[value] for value in values if value in cache}
    return labels


def facet_groups(facets: dict, parameters, kinds) -> list[dict]:
    """Each facet as links that narrow the results; the active value links back out."""
    groups = []
    declared = filters_of(kinds)
    for name, counts in facets.items():
        if (name == "kind" and kinds) or not counts:
            continue
        if name == "year":
            counts = sorted(counts, key=lambda item: item[0], reverse=True)
        counts = counts[:FACET_LIMIT]
        title = _("Kind") if name == "kind" else declared[name].title if name in declared else None
        if title is None:
            continue
        labels = _labeller(name, declared.get(name))([value for value, _count in counts])
        if name != "kind" and declared[name].choices is not None:
            # A value no declared kind offers (another kind's column) is not a choice a person can make.
            counts = [(value, count) for value, count in counts if value in labels]
        active = parameters.get(name, "")
        values = []
        for value, count in counts:
            link = parameters.copy()
            if value == active:
                link.pop(name, None)
            else:
                link[name] = value
            values.append({"label": labels.get(value, value), "count": count, "active": value == active,
                           "url": "?" + link.urlencode()})
        groups.append({"name": name, "title": title, "values": values})
    return groups


def chosen_filters(form, filters: dict, parameters) -> dict:
    """The filters in force, each as a chip that removes it, and the link that removes them all."""
    declared = filters_of(form.kinds())
    chips = []
    for name, value in filters.items():
        link = parameters.copy()
        link.pop(name, None)
        label = _labeller(name, declared[name])([str(value)]).get(str(value), str(value))
        chips.append({"name": name, "title": declared[name].title, "label": label, "url": "?" + link.urlencode()})
    clear = parameters.copy()
    for name in filters:
        clear.pop(name, None)
    return {"active_filters": chips, "active_names": set(filters), "clear_url": "?" + clear.urlencode()}


def kind_tabs(counts: dict[str, int], parameters) -> list[dict]:
    """Everything, then each kind, as links; counts where the results hold them (no kind chosen)."""
    chosen = parameters.get("kind", "")
    tabs = []
    for value, label in [("", _("Everything")), *((name, kind.label) for name, kind in KINDS.items())]:
        if value and not chosen and not counts.get(value):
            continue
        link = parameters.copy()
        link.pop("kind", None)
        if value:
            link["kind"] = value
        # Counts are known only while no kind is chosen: the results then hold every kind.
        count = None if chosen else counts[value] if value else sum(counts.values())
        tabs.append({"label": label, "url": "?" + link.urlencode(), "active": value == chosen, "count": count})
    return tabs


def advice(user, query: str, kinds, filters: dict, parameters) -> dict:
    """When nothing matches: which filter to drop (and what that would give), and the closest
    matches with no filters at all."""
    drops = []
    for name in filters:
        fewer = {key: value for key, value in filters.items() if key != name}
        count = len(engine.search(query, kinds=kinds, filters=fewer, user=user).hits)
        if count:
            link = parameters.copy()
            link.pop(name, None)
            drops.append({"title": filters_of(kinds)[name].title, "count": count, "url": "?" + link.urlencode()})
    closest = []
    if query and filters:
        closest = engine.search(query, kinds=kinds, user=user).shown(0, CLOSEST_WITHOUT_FILTERS)
    return {"drops": drops, "closest": closest}
