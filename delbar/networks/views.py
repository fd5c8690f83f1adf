"""The network pages under /nettverk/: a front page per network, its collection searched like the whole
database, members and join requests, news, the members' area, the curators' queue and settings, an Atom
feed and a list other sites may show in a frame. Permission is asked of networks/access.py in each view."""

from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.cases.models import Case, Status
from delbar.challenges import access as challenge_access
from delbar.groups import access as group_access
from delbar.groups.models import BuyerGroup
from delbar.needs.models import Need
from delbar.networks import access, actions
from delbar.networks.collection import collection, newest, upcoming_events
from delbar.networks.forms import AddCaseForm, DocumentForm, JoinForm, NetworkForm, NewsForm, PostForm
from delbar.networks.models import Network, NetworkDocument, NetworkMember, NewsItem
from delbar.search import render_results

NEWS_SHOWN = 5
EVENTS_SHOWN = 5
NEEDS_SHOWN = 10
GROUPS_SHOWN = 20
TEASER_CASES = 3
MINE_SHOWN = 3           # news, events and cases per network on "Mine nettverk"
FEED_ITEMS = 30
EMBED_CASES = 10


def _visible_news(user, network):
    return access.news_for(user, network).select_related("network")


def network_list(request):
    networks = Network.objects.select_related("organization").annotate(
        member_count=Count("members", filter=Q(members__status=NetworkMember.Status.ACTIVE)))
    mine = set(access.networks_of(request.user).values_list("pk", flat=True))
    return render(request, "networks/network_list.html", {"networks": networks, "mine": mine})


@login_required
def my_networks(request):
    """Every network the person takes part in, each with its latest news (members-only too, where they may
    see it), upcoming events, newest cases, and, for its curators, what waits for them."""
    user = request.user
    rows = []
    for network in access.networks_of(user):
        curates = access.can_curate(user, network)
        rows.append({
            "network": network,
            "news": _visible_news(user, network)[:MINE_SHOWN],
            "events": upcoming_events(network)[:MINE_SHOWN],
            "cases": newest(network, MINE_SHOWN),
            "pending": network.members.pending().select_related("organization") if curates else [],
            "queue": Case.objects.filter(status=Status.SUBMITTED, network_links__network_id=network.organization_id)
            .count() if curates else 0,
            "curates": curates,
        })
    return render(request, "networks/my_networks.html", {"rows": rows})


def _embed_snippet(request, network: Network) -> str:
    url = request.build_absolute_uri(reverse("network_embed", args=[network.slug]))
    title = _("Cases from %(network)s") % {"network": network.name}
    return f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" height="600" loading="lazy"></iframe>'


def network_detail(request, slug):
    user = request.user
    network = access.get_network_for_user(user, slug)
    allowed = access.allowed_actions(user, network)
    member_ids = access.member_org_ids(network)
    groups = list(BuyerGroup.objects.filter(Q(lead_id__in=member_ids) | Q(members__organization_id__in=member_ids))
                  .distinct().select_related("lead").order_by("-created_at")[:GROUPS_SHOWN])
    # A buyer group is seen by its members' people and curators only: others see how many there are.
    shown_groups = [group for group in groups if group_access.can_view(user, group)]
    context = {
        "network": network,
        "allowed": allowed,
        "member_count": len(member_ids),
        "news": _visible_news(user, network)[:NEWS_SHOWN],
        "events": upcoming_events(network)[:EVENTS_SHOWN],
        "needs": Need.objects.visible_to(user).open().filter(organization_id__in=member_ids)
        .select_related("organization").order_by("-created_at")[:NEEDS_SHOWN],
        "groups": shown_groups,
        "other_groups": len(groups) - len(shown_groups),
        "cases": newest(network, TEASER_CASES),
        "case_count": collection(network).count(),
        "can_create_challenge": challenge_access.can_create(user, network=network),
    }
    if "join" in allowed:
        context["join_form"] = JoinForm(organizations=access.joinable_organizations(user, network))
    if "curate" in allowed:
        context.update({
            "pending_count": network.members.pending().count(),
            "queue_count": Case.objects.filter(status=Status.SUBMITTED,
                                               network_links__network_id=network.organization_id).count(),
            "embed_snippet": _embed_snippet(request, network),
            "add_form": AddCaseForm(networks=Network.objects.filter(pk=network.pk), initial={"network": network}),
        })
    return render(request, "networks/network_detail.html", context)


def network_cases(request, slug):
    """The collection, searched with the same ranking, filters and facets as the whole database."""
    network = access.get_network_for_user(request.user, slug)
    return render_results(request, kinds=["case"], template="networks/network_cases.html",
                          among={"case": collection(network).values("pk")},
                          extra={"network": network, "allowed": access.allowed_actions(request.user, network)})


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
              ".webp": "image/webp"}


def network_logo(request, slug):
    """The logo: redrawn as PNG when its curators upload it (actions.update_network), an image checked by
    Pillow when Delbar's administrators do (admin.py). Served as an image, never as anything a browser runs."""
    network = access.get_network_for_user(request.user, slug)
    content_type = LOGO_TYPES.get(PurePath(network.logo.name or "").suffix.lower())
    if not network.logo or content_type is None:
        raise Http404(_("This network has no logo."))
    try:
        handle = network.logo.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, content_type=content_type)


# --- Members ---

def network_members(request, slug):
    user = request.user
    network = access.get_network_for_user(user, slug)
    allowed = access.allowed_actions(user, network)
    members = list(network.members.select_related("organization"))
    context = {
        "network": network,
        "allowed": allowed,
        "members": [member for member in members if member.status == NetworkMember.Status.ACTIVE],
        # Who asked is known to the network's curators and to the asking organization's own people.
        "pending": [member for member in members if member.status == NetworkMember.Status.PENDING
                    and ("curate" in allowed or access.can_leave(user, member))],
        "leavable": {member.pk for member in members if access.can_leave(user, member)},
    }
    if "join" in allowed:
        context["join_form"] = JoinForm(organizations=access.joinable_organizations(user, network))
    return render(request, "networks/network_members.html", context)


@login_required
@require_POST
def network_join(request, slug):
    network = access.get_network_for_user(request.user, slug, "join")
    form = JoinForm(request.POST, organizations=access.joinable_organizations(request.user, network))
    if form.is_valid():
        try:
            actions.request_join(network=network, actor=request.user, organization=form.cleaned_data["organization"])
        except actions.NetworkError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request is sent. The network's curators decide, and you are told."))
    else:
        messages.error(request, _("Choose an organization you may ask to join for."))
    return redirect("network_members", slug=network.slug)


@login_required
@require_POST
def network_member_decide(request, slug, pk, decision):
    network = access.get_network_for_user(request.user, slug)
    member = get_object_or_404(NetworkMember, pk=pk, network=network)
    if decision == "leave":
        if not (access.can_leave(request.user, member) or access.can_curate(request.user, network)):
            raise PermissionDenied(_("Only the organization's own people or the network's curators do this."))
        actions.leave(member=member, actor=request.user)
        messages.success(request, _("%(organization)s is no longer in the network.")
                         % {"organization": member.organization.name})
        return redirect("network_members", slug=network.slug)
    if not access.can_curate(request.user, network):
        raise PermissionDenied(_("Only the network's curators decide on requests to join."))
    try:
        actions.decide_join(member=member, actor=request.user, approve=decision == "approve")
    except actions.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Decided. The organization is told."))
    return redirect("network_members", slug=network.slug)


# --- News ---

def network_news(request, slug):
    network = access.get_network_for_user(request.user, slug)
    return render(request, "networks/news_list.html", {
        "network": network, "allowed": access.allowed_actions(request.user, network),
        "news": _visible_news(request.user, network)})


def _news_item(user, network, pk) -> NewsItem:
    # A members-only item is unknown (404) to whoever may not see the members' area.
    return get_object_or_404(access.news_for(user, network), pk=pk)


def network_news_item(request, slug, pk):
    network = access.get_network_for_user(request.user, slug)
    item = _news_item(request.user, network, pk)
    return render(request, "networks/news_item.html", {
        "network": network, "item": item, "allowed": access.allowed_actions(request.user, network)})


def _news_form(request, network, item=None):
    form = NewsForm(request.POST or None, instance=item)
    if not access.can_see_members_area(request.user, network):
        # Delbar's curators post for everyone: they may not see members-only items, so they write none.
        del form.fields["members_only"]
    return form


@login_required
def network_news_create(request, slug):
    network = access.get_network_for_user(request.user, slug, "curate")
    form = _news_form(request, network)
    if request.method == "POST" and form.is_valid():
        item = actions.post_news(network=network, actor=request.user, title=form.cleaned_data["title"],
                                 body=form.cleaned_data["body"],
                                 members_only=form.cleaned_data.get("members_only", False))
        messages.success(request, _("The news item is published."))
        return redirect(item.get_absolute_url())
    return render(request, "networks/news_form.html", {"network": network, "form": form, "form_list": [form]},
                  status=400 if request.method == "POST" else 200)


@login_required
def network_news_edit(request, slug, pk):
    network = access.get_network_for_user(request.user, slug, "curate")
    item = _news_item(request.user, network, pk)
    form = _news_form(request, network, NewsItem.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        actions.edit_news(item=item, actor=request.user, title=form.cleaned_data["title"],
                          body=form.cleaned_data["body"],
                          members_only=form.cleaned_data.get("members_only", item.members_only))
        messages.success(request, _("Saved."))
        return redirect(item.get_absolute_url())
    return render(request, "networks/news_form.html", {"network": network, "form": form, "form_list": [form],
                                                       "item": item},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def network_news_delete(request, slug, pk):
    network = access.get_network_for_user(request.user, slug, "curate")
    item = _news_item(request.user, network, pk)
    actions.delete_news(item=item, actor=request.user)
    messages.success(request, _("The news item is deleted."))
    return redirect("network_news", slug=network.slug)


# --- The members' area: 404 to everyone but members, the network's curators and Delbar's administrators ---

def network_members_area(request, slug):
    network = access.get_network_for_user(request.user, slug, "members")
    return render(request, "networks/members_area.html", {
        "network": network,
        "allowed": access.allowed_actions(request.user, network),
        "news": network.news.filter(members_only=True),
        "documents": network.documents.all(),
        "posts": network.posts.select_related("organization"),
        "document_form": DocumentForm(),
        "post_form": PostForm(),
    })


@require_POST
def network_document_upload(request, slug):
    network = access.get_network_for_user(request.user, slug, "members")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        actions.upload_document(network=network, actor=request.user, upload=form.cleaned_data["file"],
                                content_type=form.detected_type, title=form.cleaned_data["title"])
        messages.success(request, _("The document is shared with the members."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(reverse("network_members_area", args=[network.slug]) + "#documents")


def network_document_download(request, slug, pk):
    network = access.get_network_for_user(request.user, slug, "members")
    document = get_object_or_404(NetworkDocument, pk=pk, network=network)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@require_POST
@ratelimit(key="user_or_ip", rate=lambda group, request: settings.DELBAR_MESSAGE_RATE, block=True)
def network_post(request, slug):
    network = access.get_network_for_user(request.user, slug, "members")
    form = PostForm(request.POST)
    if form.is_valid():
        actions.post_message(network=network, actor=request.user,
                             organization=access.acting_member(request.user, network),
                             body=form.cleaned_data["body"])
    else:
        messages.error(request, _("Write a message."))
    return redirect(reverse("network_members_area", args=[network.slug]) + "#discussion")


# --- Curators ---

@login_required
def network_edit(request, slug):
    network = access.get_network_for_user(request.user, slug, "curate")
    # The form validates a copy: the action compares what changed against the network as stored.
    form = NetworkForm(request.POST or None, request.FILES or None, instance=Network.objects.get(pk=network.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_network(network=network, actor=request.user, fields=form.network_fields(),
                                   logo=form.new_logo(), remove_logo=form.cleaned_data["remove_logo"])
        except actions.NetworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(network.get_absolute_url())
    # The cases in the collection by an offer or a curator's choice: the ones its curators may take out.
    added = Case.objects.published().filter(network_links__network_id=network.organization_id).for_listing()
    return render(request, "networks/network_form.html", {
        "network": network, "form": form, "form_list": [form], "added": added,
        "allowed": access.allowed_actions(request.user, network)}, status=400 if request.method == "POST" else 200)


@login_required
def network_queue(request, slug):
    """Cases submitted to this network, for its own curators (and Delbar's) to publish or return."""
    network = access.get_network_for_user(request.user, slug, "curate")
    cases = Case.objects.filter(status=Status.SUBMITTED, network_links__network_id=network.organization_id
                                ).for_listing().order_by("submitted_at")
    return render(request, "networks/queue.html", {
        "network": network, "cases": cases, "allowed": access.allowed_actions(request.user, network)})


@login_required
@require_POST
def network_collection_add(request):
    """A published case into a collection: from the network's page (by number) or the case's page."""
    network = access.get_network_for_user(request.user, request.POST.get("network"), "curate")
    form = AddCaseForm(request.POST, networks=Network.objects.filter(pk=network.pk))
    back = request.POST["next"] if _safe_next(request) else network.get_absolute_url()
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(back)
    case = Case.objects.filter(pk=form.cleaned_data["case"]).published().first()
    try:
        if case is None:
            raise actions.NetworkError(_("There is no published case with that number."))
        actions.add_case(network=network, case=case, actor=request.user)
    except actions.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” is in the collection of %(network)s.")
                         % {"title": case.title, "network": network.name})
    return redirect(back)


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/") and not target.startswith("//")


@login_required
@require_POST
def network_collection_remove(request, slug, case_pk):
    network = access.get_network_for_user(request.user, slug, "curate")
    case = get_object_or_404(Case, pk=case_pk)
    try:
        actions.remove_case(network=network, case=case, actor=request.user)
    except actions.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case is taken out of the collection."))
    return redirect(request.POST["next"] if _safe_next(request) else reverse("network_cases", args=[network.slug]))


# --- The feed and the embeddable list: what the public may see, whoever asks ---

class NetworkFeed(Feed):
    """The collection's newest cases and the network's public news, newest first, as Atom. Members-only
    news is never in it: it is built as for an anonymous visitor, whoever asks."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return access.get_network_for_user(AnonymousUser(), slug)

    def title(self, network):
        return network.name

    def subtitle(self, network):
        return network.description

    def link(self, network):
        return network.get_absolute_url()

    def items(self, network):
        cases = list(newest(network, FEED_ITEMS))
        news = list(access.news_for(AnonymousUser(), network).select_related("network")[:FEED_ITEMS])
        return sorted(cases + news, key=self.item_pubdate, reverse=True)[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom's summary is read as HTML: the text goes in escaped.
        return linebreaks(escape(item.summary if isinstance(item, Case) else item.body))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at if isinstance(item, Case) else item.published_at

    def item_categories(self, item):
        return [str(gettext_lazy("Case")) if isinstance(item, Case) else str(gettext_lazy("News"))]


network_feed = NetworkFeed()


def _frame_ancestors(network: Network) -> list[str]:
    # Only lines that are https origins reach the header, whatever was saved (the admin, an old value).
    return [CSP.SELF, *(origin for origin in network.origins() if not actions.origin_problems(origin))]


def _embed_page(request, network: Network):
    return render(request, "networks/embed.html", {
        "network": network,
        "cases": newest(network, EMBED_CASES),
        "events": upcoming_events(network)[:EVENTS_SHOWN],
    })


@xframe_options_exempt
def network_embed(request, slug):
    """A plain list of the collection's newest cases and upcoming events, no script, that the network's own
    sites (and no others) may show in a frame: the policy's frame-ancestors names them."""
    network = access.get_network_for_user(AnonymousUser(), slug)
    policy = {**settings.SECURE_CSP, "frame-ancestors": _frame_ancestors(network)}
    return csp_override(policy)(_embed_page)(request, network)
