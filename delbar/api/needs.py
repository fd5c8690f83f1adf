"""/api/needs, /api/solutions, /api/demand: the same access rules, matching and actions as the pages."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from ninja import Query, Router, Status
from ninja.errors import HttpError

from delbar.accounts.roles import roles_of
from delbar.api.auth import TokenAuth
from delbar.api.schemas import (
    CountyNumber,
    CpvDivision,
    DemandOut,
    Error,
    Id,
    InterestIn,
    InterestOut,
    MatchDecision,
    MatchOut,
    NeedChange,
    NeedCreate,
    NeedFilters,
    NeedOut,
    NeedPage,
    PageNumber,
    ProposalIn,
    ProposalOut,
    Slug,
    SolutionOut,
)
from delbar.api.search import form_or_422
from delbar.needs import access, actions, presenting
from delbar.needs.models import Need
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.search import load_documents, search
from delbar.suppliers import actions as supplier_actions
from delbar.suppliers.demand import demand
from delbar.suppliers.models import Solution

router = Router(tags=["needs"])
solutions = Router(tags=["solutions"])
demand_router = Router(tags=["needs"])
NEEDS_PER_PAGE = 20
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _org_ref(org):
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def need_summary(need: Need) -> dict:
    return {
        "id": need.pk, "interchange_id": need.interchange_id, "title": need.title, "description": need.description,
        "status": need.status, "visibility": need.visibility, "sector": need.sector_id,
        "buyer": _org_ref(need.organization), "open_for_joint_procurement": need.open_for_joint_procurement,
        "created_at": need.created_at, "url": need.get_absolute_url(),
    }


def need_detail(need: Need) -> dict:
    return {
        **need_summary(need), "cpv": [cpv.pk for cpv in need.cpv_codes.all()], "language": need.language,
        "wanted_by": need.wanted_by, "budget_min_nok": need.budget_min_nok, "budget_max_nok": need.budget_max_nok,
        "interested": [_org_ref(interest.organization) for interest in need.interests.select_related("organization")],
        "based_on_case": need.based_on_case_id, "based_on_need": need.based_on_need_id,
    }


def _need_for(request, pk, action="view") -> Need:
    try:
        return access.get_need_for_user(request.auth, pk, action)
    except Http404:
        raise HttpError(404, "No such need, or you may not see it.") from None
    except PermissionDenied:
        raise HttpError(403, f"You may not {action} this need.") from None


def _fields(payload: NeedChange) -> tuple[dict, list | None]:
    data = payload.dict(exclude_unset=True, exclude={"buyer", "cpv"})
    for name in ("title", "description", "visibility", "status", "open_for_joint_procurement", "language"):
        if name in data and data[name] is None:
            raise HttpError(422, f"{name} cannot be empty")
    if data.get("sector") is not None:
        sector = Sector.objects.filter(pk=data["sector"]).first()
        if sector is None:
            raise HttpError(422, f"Unknown sector: {data['sector']}")
        data["sector"] = sector
    cpv = None
    if payload.cpv is not None:
        codes = list(dict.fromkeys(code.split("-")[0] for code in payload.cpv))
        found = CpvCode.objects.in_bulk(codes)
        missing = [code for code in codes if code not in found]
        if missing:
            raise HttpError(422, f"Unknown CPV code: {', '.join(missing)}")
        cpv = [found[code] for code in codes]
    low, high = data.get("budget_min_nok"), data.get("budget_max_nok")
    if low is not None and high is not None and low > high:
        raise HttpError(422, "budget_min_nok is above budget_max_nok")
    return data, cpv


def _one_org(user, chosen: int | None, allowed: set[int], label: str) -> Organization:
    if chosen is not None:
        if chosen not in allowed:
            raise HttpError(403, f"You are not an editor for {label} {chosen}.")
        return Organization.objects.get(pk=chosen)
    if len(allowed) == 1:
        return Organization.objects.get(pk=next(iter(allowed)))
    raise HttpError(422, f"Say which organization ({label}).")


@router.get("", response={200: NeedPage, 400: Error, 401: Error, 422: Error}, summary="List needs")
def list_needs(request, filters: Query[NeedFilters], page: PageNumber = 1):
    """Needs you may see, newest first, or best first with `q` (the same search as the needs page)."""
    user = request.auth
    form = form_or_422(filters.dict(), kinds=["need"])
    result = search(form.query(), kinds=["need"], filters=form.filters(), user=user, sort=form.ordering())
    paginator = Paginator(result.hits, NEEDS_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    ids = [hit.document.object_id for hit in load_documents(paginator.page(page))]
    needs = Need.objects.visible_to(user).select_related("organization").in_bulk(ids)
    return {"count": paginator.count, "items": [need_summary(needs[pk]) for pk in ids if pk in needs]}


@router.get("/{id:need_id}", response={200: NeedOut, **ERRORS}, summary="Read one need")
def read_need(request, need_id: Id):
    return need_detail(_need_for(request, need_id))


@router.post("", response={201: NeedOut, **ERRORS}, auth=TokenAuth(), summary="Post a need")
def create_need(request, payload: NeedCreate):
    """Posts the need and computes its matches at once (see /matches)."""
    user = request.auth
    if not access.can_create(user):
        raise HttpError(403, "Only editors of a public buyer can post needs.")
    roles = roles_of(user)
    buyer = _one_org(user, payload.buyer, roles.editor_org_ids & roles.buyer_org_ids, "buyer")
    fields, cpv = _fields(payload)
    try:
        need = actions.create_need(actor=user, organization=buyer, fields=fields, cpv_codes=cpv or [])
    except actions.NeedError as error:
        raise HttpError(422, str(error)) from None
    return Status(201, need_detail(need))


@router.patch("/{id:need_id}", response={200: NeedOut, **ERRORS}, auth=TokenAuth(), summary="Change a need")
def update_need(request, need_id: Id, payload: NeedChange):
    need = _need_for(request, need_id, "edit")
    fields, cpv = _fields(payload)
    try:
        actions.update_need(need=need, actor=request.auth, fields=fields, cpv_codes=cpv)
    except actions.NeedError as error:
        raise HttpError(422, str(error)) from None
    need.refresh_from_db()
    return need_detail(need)


def match_out(item: presenting.ShownMatch) -> dict:
    match = item.match
    return {"id": match.pk, "kind": match.kind, "object_id": match.object_id, "external_id": item.external_id,
            "title": item.object.title, "url": item.object.get_absolute_url(), "score": round(match.score, 6),
            "similarity": match.similarity, "state": match.state, "reasons": match.reasons,
            "reasons_text": item.reasons}


@router.get("/{id:need_id}/matches", response={200: list[MatchOut], **ERRORS},
            summary="What matches a need, best first, with reasons")
def list_matches(request, need_id: Id, kind: Literal["case", "need", "solution", "notice"] | None = None,
                 dismissed: bool = False):
    """Earlier cases, other buyers' open needs and suppliers' solutions matching the need, with why.
    Only what you may see is listed. `dismissed=true` lists what the owner dismissed."""
    need = _need_for(request, need_id)
    return [match_out(item) for item in presenting.shown_matches(need, request.auth, kind=kind,
                                                                  dismissed=dismissed)]


@router.post("/{id:need_id}/matches/{id:match_id}", response={200: MatchOut, **ERRORS}, auth=TokenAuth(),
             summary="Confirm or dismiss a match (the need's owner)")
def decide_match(request, need_id: Id, match_id: Id, payload: MatchDecision):
    need = _need_for(request, need_id, "edit")
    match = need.matches.filter(pk=match_id).first()
    if match is None:
        raise HttpError(404, "No such match on this need.")
    actions.decide(match=match, actor=request.auth, state=payload.state)
    shown = [item for item in presenting.shown_matches(need, request.auth, dismissed=payload.state == "dismissed")
             if item.match.pk == match.pk]
    if not shown:
        raise HttpError(404, "The matched object is no longer visible.")
    return match_out(shown[0])


@router.post("/{id:need_id}/interest", response={201: InterestOut, **ERRORS}, auth=TokenAuth(),
             summary="We have this need too: join as interested")
def join_need(request, need_id: Id, payload: InterestIn):
    need = _need_for(request, need_id, "join")
    roles = roles_of(request.auth)
    organization = _one_org(request.auth, payload.organization,
                            (roles.editor_org_ids & roles.buyer_org_ids) - {need.organization_id}, "buyer")
    try:
        interest = actions.join(need=need, actor=request.auth, organization=organization, note=payload.note)
    except actions.NeedError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, {"need": need.pk, "organization": _org_ref(organization), "note": interest.note,
                        "created_at": interest.created_at})


def proposal_out(proposal) -> dict:
    return {"id": proposal.pk, "need": proposal.need_id, "supplier": _org_ref(proposal.organization),
            "solution": proposal.solution_id, "body": proposal.body, "created_at": proposal.created_at}


@router.get("/{id:need_id}/proposals", response={200: list[ProposalOut], **ERRORS}, auth=TokenAuth(),
            summary="Suppliers' proposals (the owner, its buyer group and curators; a supplier sees its own)")
def list_proposals(request, need_id: Id):
    need = _need_for(request, need_id)
    proposals = need.proposals.select_related("organization")
    if not access.can_see_proposals(request.auth, need):
        proposals = proposals.filter(organization_id__in=roles_of(request.auth).supplier_org_ids)
    return [proposal_out(proposal) for proposal in proposals]


@router.post("/{id:need_id}/proposals", response={201: ProposalOut, **ERRORS}, auth=TokenAuth(),
             summary="Answer an open need with a proposal (suppliers)")
def propose(request, need_id: Id, payload: ProposalIn):
    need = _need_for(request, need_id, "propose")
    supplier_ids = roles_of(request.auth).supplier_org_ids
    organization = Organization.objects.filter(pk__in=supplier_ids).order_by("name").first()
    solution = None
    if payload.solution is not None:
        solution = Solution.objects.filter(pk=payload.solution, organization_id__in=supplier_ids).first()
        if solution is None:
            raise HttpError(422, f"No solution {payload.solution} of yours.")
    try:
        proposal = supplier_actions.propose(need=need, actor=request.auth, organization=organization,
                                            body=payload.body, solution=solution)
    except supplier_actions.SupplierError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, proposal_out(proposal))


def solution_out(solution: Solution) -> dict:
    return {"id": solution.pk, "title": solution.title, "description": solution.description,
            "supplier": _org_ref(solution.organization), "sectors": [s.pk for s in solution.sectors.all()],
            "cpv": [cpv.pk for cpv in solution.cpv_codes.all()],
            "cases": [case.pk for case in solution.cases.published()], "active": solution.active,
            "url": solution.get_absolute_url()}


@solutions.get("", response={200: list[SolutionOut], 401: Error}, summary="Solutions on offer")
def list_solutions(request):
    return [solution_out(s) for s in Solution.objects.filter(active=True).select_related("organization")
            .prefetch_related("sectors", "cpv_codes").order_by("title", "pk")]


@solutions.get("/{id:solution_id}", response={200: SolutionOut, 401: Error, 404: Error},
               summary="Read one solution")
def read_solution(request, solution_id: Id):
    solution = Solution.objects.visible_to(request.auth).filter(pk=solution_id).select_related("organization").first()
    if solution is None:
        raise HttpError(404, "No such solution.")
    return solution_out(solution)


@demand_router.get("", response={200: DemandOut, 401: Error, 422: Error},
                   summary="Open public needs counted by CPV division, sector and county")
def read_demand(request, sector: Slug | None = None, county: CountyNumber | None = None,
                division: CpvDivision | None = None):
    """Aggregated demand for suppliers. Needs their buyers marked buyers-only are never counted."""
    figures = demand({"sector": sector, "county": county, "division": division})

    def rows(items, key):
        return [{"value": row[key], "label": row["label"], "needs": row["needs"], "buyers": row["buyers"]}
                for row in items]
    return {"total": figures["total"], "buyers": figures["buyers"],
            "divisions": rows(figures["divisions"], "division"), "sectors": rows(figures["sectors"], "sector"),
            "counties": rows(figures["counties"], "county")}
