"""The search results page, and the case list, which is the same page limited to cases."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Category, Outcome, Procedure, Status
from delbar.needs.models import NeedStatus
from delbar.notices.models import Family, Signal
from delbar.orgs.models import County, Organization, Sector
from delbar.search import engine
from delbar.search.forms import SearchForm, notice_procedures
from delbar.search.kinds import KINDS

RESULTS_PER_PAGE = 20
RESULTS_TEMPLATE = "search/_results.html"   # what htmx swaps in as the user types
FACET_LIMIT = 12          # values shown per facet, most frequent first
CLOSEST_WITHOUT_FILTERS = 3


def search_page(request):
    return render_results(request, kinds=None, template="search/search.html")


def render_results(request, *, kinds: list[str] | None, template: str):
    form = SearchForm(request.GET, kinds=kinds)  # always bound: with no parameters, every filter is off
    if not form.is_valid():
        context = {"form": form, "form_list": [form], "page": None, "facets": [], "query": ""}
        return render(request, RESULTS_TEMPLATE if request.htmx else template, context, status=400)
    query, filters = form.query(), form.filters()
    # As the user types (htmx), the last word may be half-written: it is not corrected yet.
    result = engine.search(query, kinds=form.kinds(), filters=filters, user=request.user, sort=form.ordering(),
                           suggest=True, typing=bool(request.htmx) and not request.GET.get("q", "").endswith(" "))
    page = Paginator(result.hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = engine.load_documents(page.object_list)
    decorate(page.object_list)
    parameters = request.GET.copy()
    parameters.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "page": page,
        "query": parameters.urlencode(),
        "facets": facet_groups(result.facets, parameters, kinds),
    }
    if result.suggestion:
        corrected = parameters.copy()
        corrected["q"] = result.suggestion
        context["suggestion_url"] = "?" + corrected.urlencode()
    if not page.object_list:
        context["advice"] = advice(request.user, query, form.kinds(), filters, parameters)
        context["advice"]["nearest"] = engine.load_documents(result.nearest)
    return render(request, RESULTS_TEMPLATE if request.htmx else template, context)


def decorate(hits) -> None:
    """Gives each hit on the page its buyer and labels, with one query per related table."""
    organizations = Organization.objects.in_bulk({hit.document.organization_id for hit in hits} - {None})
    sectors = Sector.objects.in_bulk({hit.document.sector for hit in hits} - {""})
    counties = County.objects.in_bulk({hit.document.county for hit in hits} - {""})
    for hit in hits:
        document = hit.document
        hit.organization = organizations.get(document.organization_id)
        hit.sector_name = sectors[document.sector].name if document.sector in sectors else ""
        hit.county_name = counties[document.county].name if document.county in counties else ""
        hit.outcome_label = Outcome(document.outcome).label if document.outcome else ""
        hit.procedure_label = procedure_labels().get(document.procedure, "")
        hit.family_label = Family(document.family).label if document.family in Family.values else ""
        hit.signal_label = Signal(document.signal).label if document.signal else ""
        if document.kind == "need":
            hit.status_label = NeedStatus(document.status).label if document.status in NeedStatus.values else ""
        else:
            hit.status_label = Status(document.status).label if document.status and not document.public else ""


def procedure_labels() -> dict:
    return dict(notice_procedures()) | dict(Procedure.choices)


def _labels(name: str, values: list[str]) -> dict[str, str]:
    if name == "kind":
        return {value: str(KINDS[value].label) for value in values if value in KINDS}
    if name == "sector":
        return {slug: sector.name for slug, sector in Sector.objects.in_bulk(values).items()}
    if name == "county":
        return {number: county.name for number, county in County.objects.in_bulk(values).items()}
    if name == "status":
        labels = dict(Status.choices) | dict(NeedStatus.choices)
        return {value: str(labels[value]) for value in values if value in labels}
    if name == "buyer":
        return {str(pk): organization.display_name for pk, organization in
                Organization.objects.in_bulk([int(value) for value in values]).items()}
    if name == "procedure":
        labels = procedure_labels()
        return {value: str(labels[value]) for value in values if value in labels}
    if name == "cpv":
        from delbar.orgs.models import CpvCode
        return {code[:2]: f"{code[:2]} {cpv.name}" for code, cpv in
                CpvCode.objects.in_bulk([f"{value}000000" for value in values]).items()}
    choices = {"size_class": Organization.SizeClass, "category": Category, "outcome": Outcome, "family": Family,
               "signal": Signal}.get(name)
    return {value: str(choices(value).label) for value in values if value in choices.values} if choices else {}


FACET_TITLES = {
    "kind": _("Kind"), "sector": _("Sector"), "county": _("County"), "size_class": _("Municipality size"),
    "procedure": _("Procedure"), "category": _("Category"), "outcome": _("Outcome"), "year": _("Year"),
    "status": _("Status"), "family": _("Kind of notice"), "signal": _("Innovation signal"),
    "cpv": _("CPV division"), "buyer": _("Buyer"),
}


def facet_groups(facets: dict, parameters, kinds) -> list[dict]:
    """Each facet as links that narrow the results; the active value links back out."""
    groups = []
    for name, counts in facets.items():
        if (name == "kind" and kinds) or not counts:
            continue
        if name == "year":
            counts = sorted(counts, key=lambda item: item[0], reverse=True)
        counts = counts[:FACET_LIMIT]
        labels = _labels(name, [value for value, _ in counts])
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
        groups.append({"name": name, "title": FACET_TITLES[name], "values": values})
    return groups


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
            drops.append({"title": FACET_TITLES[name], "count": count, "url": "?" + link.urlencode()})
    closest = []
    if query and filters:
        closest = engine.search(query, kinds=kinds, user=user).shown(0, CLOSEST_WITHOUT_FILTERS)
    return {"drops": drops, "closest": closest}
