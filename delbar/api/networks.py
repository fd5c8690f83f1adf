"""/api/networks: the same access rules (networks/access.py), collection (networks/collection.py) and
actions (networks/actions.py) as the network pages. Members-only news is listed only with the token of a
person who may see the members' area; it is never in any other answer."""

from datetime import datetime
from typing import Annotated

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from delbar.api.auth import TokenAuth
from delbar.api.cases import case_summary
from delbar.api.schemas import (
    Body,
    CaseFilters,
    CasePage,
    CaseSummaryOut,
    Error,
    Id,
    OrganizationRef,
    PageNumber,
    Text,
)
from delbar.api.search import form_or_422
from delbar.cases.models import Case
from delbar.networks import access, actions
from delbar.networks.collection import collection
from delbar.networks.models import Network, NetworkMember
from delbar.orgs.models import Organization
from delbar.search import load_documents, search

router = Router(tags=["networks"])
CASES_PER_PAGE = 20
NEWS_LISTED = 50
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS = {401: Error, 404: Error, 422: Error}

# Network.slug: a SlugField of at most 60 characters.
NetworkSlug = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$",
                                   description="The network's short name, as in /nettverk/{slug}/")]


# --- Shapes (the public contract: docs/networks.md and docs/api.md) ---

class NetworkSummaryOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    website: str
    accepts_suppliers: bool
    organization: OrganizationRef = Field(description="The network's organization: its curators act for it")
    member_count: int
    url: str
    feed_url: str
    embed_url: str


class NetworkMemberOut(Schema):
    organization: OrganizationRef
    since: datetime | None


class NetworkOut(NetworkSummaryOut):
    logo_url: str | None
    case_count: int
    members: list[NetworkMemberOut]


class NewsOut(Schema):
    id: int
    title: str
    body: str
    members_only: bool
    published_at: datetime
    url: str


class NewsIn(Body):
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=5000)
    members_only: bool = False


class JoinIn(Body):
    organization: Id | None = Field(None, description="The organization to join for; needed when you act for "
                                                      "more than one that may join")


class JoinOut(Schema):
    network: str
    organization: OrganizationRef
    status: str
    requested_at: datetime


class CaseRefIn(Body):
    case: Id


def _org_ref(org: Organization) -> dict:
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def network_summary(network: Network, member_count: int) -> dict:
    return {
        "slug": network.slug, "name": network.name, "kind": network.kind, "description": network.description,
        "website": network.website, "accepts_suppliers": network.accepts_suppliers,
        "organization": _org_ref(network.organization), "member_count": member_count,
        "url": network.get_absolute_url(), "feed_url": reverse("network_feed", args=[network.slug]),
        "embed_url": reverse("network_embed", args=[network.slug]),
    }


def news_out(item) -> dict:
    return {"id": item.pk, "title": item.title, "body": item.body, "members_only": item.members_only,
            "published_at": item.published_at, "url": item.get_absolute_url()}


# --- Reading ---

@router.get("", response={200: list[NetworkSummaryOut], 401: Error}, summary="List networks")
def list_networks(request):
    networks = Network.objects.select_related("organization").annotate(
        member_count=Count("members", filter=Q(members__status=NetworkMember.Status.ACTIVE)))
    return [network_summary(network, network.member_count) for network in networks]


@router.get("/{slug}", response={200: NetworkOut, **READ_ERRORS}, summary="Read one network, with its members")
def read_network(request, slug: NetworkSlug):
    network = access.get_network_for_user(request.auth, slug)
    members = network.members.active().select_related("organization")
    return {**network_summary(network, len(members)),
            "logo_url": reverse("network_logo", args=[network.slug]) if network.logo else None,
            "case_count": collection(network).count(),
            "members": [{"organization": _org_ref(member.organization), "since": member.decided_at}
                        for member in members]}


@router.get("/{slug}/cases", response={200: CasePage, 400: Error, **READ_ERRORS}, summary="The network's collection")
def network_cases(request, slug: NetworkSlug, filters: Query[CaseFilters], page: PageNumber = 1):
    """The published cases of the network's members and those its curators chose, filtered like /api/cases
    (the same search, narrowed to the collection): newest first, or best first with `q`; 20 a page."""
    network = access.get_network_for_user(request.auth, slug)
    form = form_or_422(filters.dict(), kinds=["case"])
    result = search(form.query(), kinds=["case"], filters=form.filters(), sort=form.ordering(),
                    among={"case": collection(network).values("pk")})
    paginator = Paginator(result.hits, CASES_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    ids = [hit.document.object_id for hit in load_documents(paginator.page(page))]
    cases = collection(network).for_listing().in_bulk(ids)
    return {"count": paginator.count, "items": [case_summary(cases[pk]) for pk in ids if pk in cases]}


@router.get("/{slug}/news", response={200: list[NewsOut], **READ_ERRORS}, summary="The network's news")
def network_news(request, slug: NetworkSlug):
    """The newest 50 items. Members-only items are listed only with the token of a person who may see the
    members' area (its members' people, the network's own curators, Delbar's administrators)."""
    network = access.get_network_for_user(request.auth, slug)
    return [news_out(item) for item in access.news_for(request.auth, network).select_related("network")[:NEWS_LISTED]]


# --- Writing ---

@router.post("/{slug}/join", response={201: JoinOut, **ERRORS}, auth=TokenAuth(),
             summary="Ask to join the network for your organization")
def join_network(request, slug: NetworkSlug, payload: JoinIn):
    user = request.auth
    network = access.get_network_for_user(user, slug)
    joinable = {org.pk: org for org in access.joinable_organizations(user, network)}
    if not joinable:
        raise HttpError(403, "You act for no organization that may ask to join this network (or it is a member "
                             "or waiting already).")
    if payload.organization is None:
        if len(joinable) > 1:
            raise HttpError(422, "Say which organization joins (organization).")
        organization = next(iter(joinable.values()))
    elif payload.organization in joinable:
        organization = joinable[payload.organization]
    else:
        raise HttpError(403, f"You may not ask to join for organization {payload.organization}.")
    member = actions.request_join(network=network, actor=user, organization=organization)
    return Status(201, {"network": network.slug, "organization": _org_ref(organization), "status": member.status,
                        "requested_at": member.requested_at})


@router.post("/{slug}/cases", response={201: CaseSummaryOut, **ERRORS}, auth=TokenAuth(),
             summary="Add a published case to the collection (the network's curators)")
def add_case(request, slug: NetworkSlug, payload: CaseRefIn):
    network = access.get_network_for_user(request.auth, slug, "curate")
    case = Case.objects.published().select_related("lead_buyer").filter(pk=payload.case).first()
    if case is None:
        raise HttpError(422, f"There is no published case {payload.case}.")
    try:
        actions.add_case(network=network, case=case, actor=request.auth)
    except actions.NetworkError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, case_summary(case))


@router.delete("/{slug}/cases/{id:case_id}", response={204: None, **ERRORS}, auth=TokenAuth(),
               summary="Take a case the curators added (or that was offered) out of the collection")
def remove_case(request, slug: NetworkSlug, case_id: Id):
    network = access.get_network_for_user(request.auth, slug, "curate")
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, "No such case.")
    try:
        actions.remove_case(network=network, case=case, actor=request.auth)
    except actions.NetworkError as error:
        raise HttpError(409, str(error)) from None
    return Status(204, None)


@router.post("/{slug}/news", response={201: NewsOut, **ERRORS}, auth=TokenAuth(),
             summary="Post a news item (the network's curators)")
def post_news(request, slug: NetworkSlug, payload: NewsIn):
    user = request.auth
    network = access.get_network_for_user(user, slug, "curate")
    if payload.members_only and not access.can_see_members_area(user, network):
        raise HttpError(403, "Only those who see the members' area post members-only news.")
    try:
        item = actions.post_news(network=network, actor=user, title=payload.title, body=payload.body,
                                 members_only=payload.members_only)
    except actions.NetworkError as error:
        raise HttpError(422, str(error)) from None
    return Status(201, news_out(item))
