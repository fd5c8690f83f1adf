"""/api/cases: the same queries, access helpers and actions as the web pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.errors import HttpError

from delbar.accounts.roles import roles_of
from delbar.api.auth import TokenAuth
from delbar.api.schemas import (
    CaseChange,
    CaseCreate,
    CaseFilters,
    CaseOut,
    CasePage,
    CaseSummaryOut,
    Error,
    Id,
    PageNumber,
    ReturnIn,
)
from delbar.api.search import form_or_422
from delbar.cases import access, actions
from delbar.cases.models import Case
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.search import load_documents, search

router = Router(tags=["cases"])
CASES_PER_PAGE = 20
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _org_ref(org):
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def case_summary(case: Case) -> dict:
    return {
        "id": case.pk, "interchange_id": case.interchange_id, "title": case.title, "summary": case.summary,
        "status": case.status, "sector": case.sector_id, "category": case.category,
        "procedure": case.procedure, "outcome": case.outcome, "year": case.year,
        "lead_buyer": _org_ref(case.lead_buyer), "published_at": case.published_at,
        "url": case.get_absolute_url(),
    }


def case_detail(case: Case) -> dict:
    plain = {name: getattr(case, name) for name in (
        "need", "requirements", "solution", "language", *Case.PHASE_FIELDS, "contract_value_nok",
        "lessons", "what_went_wrong", *Case.ROGERS_FIELDS, "return_comment")}
    return {
        **case_summary(case), **plain,
        "other_sectors": [sector.pk for sector in case.other_sectors.all()],
        "cpv": [cpv.pk for cpv in case.cpv_codes.all()],
        "partner_buyers": [_org_ref(org) for org in case.partner_buyers.all()],
        "suppliers": [_org_ref(org) for org in case.suppliers.all()],
        "benefits": [{"kind": b.kind, "description": b.description, "amount": b.amount, "unit": b.unit}
                     for b in case.benefits.all()],
        "links": [{"kind": link.kind, "url": link.url, "title": link.title} for link in case.links.all()],
        "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
                     for c in case.contacts.all()],
        "documents": [{"id": d.pk, "kind": d.kind, "title": d.title, "file_name": d.original_name,
                       "content_type": d.content_type, "size": d.size, "attribution": d.attribution,
                       "url": f"/cases/{case.pk}/documents/{d.pk}/"} for d in case.documents.all()],
        "based_on": case.based_on_id,
    }


def _lookup(queryset, keys, label):
    keys = list(dict.fromkeys(keys))
    found = {obj.pk: obj for obj in queryset.filter(pk__in=keys)}
    missing = [str(key) for key in keys if key not in found]
    if missing:
        raise HttpError(422, f"Unknown {label}: {', '.join(missing)}")
    return [found[key] for key in keys]


def changes_from(payload: CaseChange) -> tuple[dict, dict]:
    """Splits a request body into the actions' `fields` and `relations`, checking references."""
    data = payload.dict(exclude_unset=True, exclude={"lead_buyer"})
    fields, relations = {}, {}
    for name, value in data.items():
        if name in ("benefits", "links", "contacts", "other_sectors", "cpv", "partner_buyers", "suppliers"):
            continue
        if value is None and name in ("title", "summary", "sector"):
            raise HttpError(422, f"{name} cannot be empty")
        fields[name] = "" if value is None and name not in ("year", "contract_value_nok") and not name.endswith(
            "_date") else value
    if "sector" in fields:
        fields["sector"] = _lookup(Sector.objects.all(), [fields["sector"]], "sector")[0]
    if payload.other_sectors is not None:
        relations["other_sectors"] = _lookup(Sector.objects.all(), payload.other_sectors, "sector")
    if payload.cpv is not None:
        codes = [code.split("-")[0] for code in payload.cpv]  # tolerate the official check digit
        relations["cpv_codes"] = _lookup(CpvCode.objects.all(), codes, "CPV code")
    if payload.partner_buyers is not None:
        relations["partner_buyers"] = _lookup(Organization.objects.buyers(), payload.partner_buyers,
                                              "buyer organization")
    if payload.suppliers is not None:
        relations["suppliers"] = _lookup(Organization.objects.suppliers(), payload.suppliers, "supplier")
    if payload.benefits is not None:
        relations["benefits"] = [benefit.dict() for benefit in payload.benefits]
    if payload.links is not None:
        relations["links"] = [{**link.dict(), "url": str(link.url)} for link in payload.links]
    if payload.contacts is not None:
        for contact in payload.contacts:
            if contact.email:
                try:
                    validate_email(contact.email)
                except ValidationError:
                    raise HttpError(422, f"Not an e-mail address: {contact.email}") from None
        relations["contacts"] = [contact.dict(exclude={"consent"}) for contact in payload.contacts]
    return fields, relations


def _case_for(request, pk, action="view") -> Case:
    try:
        return access.get_case_for_user(request.auth, pk, action)
    except Http404:
        raise HttpError(404, "No such case, or you may not see it.") from None
    except PermissionDenied:
        raise HttpError(403, f"You may not {action} this case.") from None


@router.get("", response={200: CasePage, 400: Error, 401: Error, 422: Error},
            summary="List published cases")
def list_cases(request, filters: Query[CaseFilters], page: PageNumber = 1):
    """Published cases filtered like the case list page: newest first, or best first with `q` (the
    same search as /api/search); 20 a page."""
    form = form_or_422(filters.dict(), kinds=["case"])
    result = search(form.query(), kinds=["case"], filters=form.filters(), sort=form.ordering())
    paginator = Paginator(result.hits, CASES_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    ids = [hit.document.object_id for hit in load_documents(paginator.page(page))]
    cases = Case.objects.for_listing().in_bulk(ids)
    return {"count": paginator.count, "items": [case_summary(cases[pk]) for pk in ids if pk in cases]}


@router.get("/mine", response={200: list[CaseSummaryOut], 401: Error}, auth=TokenAuth(),
            summary="Cases of the organizations you edit for, in every status")
def my_cases(request):
    org_ids = roles_of(request.auth).editor_org_ids
    return [case_summary(case) for case in Case.objects.owned_by(org_ids).for_listing()]


@router.get("/{id:case_id}", response={200: CaseOut, **ERRORS}, summary="Read one case")
def read_case(request, case_id: Id):
    return case_detail(_case_for(request, case_id))


@router.post("", response={201: CaseOut, **ERRORS}, auth=TokenAuth(), summary="Create a draft case")
def create_case(request, payload: CaseCreate):
    user = request.auth
    if not access.can_create(user):
        raise HttpError(403, "Only editors of a buyer organization can write cases.")
    editor_orgs = roles_of(user).editor_org_ids
    if payload.lead_buyer is not None:
        if payload.lead_buyer not in editor_orgs and not roles_of(user).is_admin:
            raise HttpError(403, "You are not an editor for that organization.")
        lead_buyer = get_object_or_404(Organization, pk=payload.lead_buyer)
    elif len(editor_orgs) == 1:
        lead_buyer = Organization.objects.get(pk=next(iter(editor_orgs)))
    else:
        raise HttpError(422, "Say which organization leads the case (lead_buyer).")
    fields, relations = changes_from(payload)
    case = actions.create_case(actor=user, lead_buyer=lead_buyer, fields=fields, relations=relations)
    return Status(201, case_detail(case))


@router.patch("/{id:case_id}", response={200: CaseOut, **ERRORS}, auth=TokenAuth(), summary="Change a case")
def update_case(request, case_id: Id, payload: CaseChange):
    case = _case_for(request, case_id, "edit")
    fields, relations = changes_from(payload)
    actions.update_case(case=case, actor=request.auth, fields=fields, relations=relations)
    case.refresh_from_db()
    return case_detail(case)


def _transition(request, case_id, action_name, perform):
    case = _case_for(request, case_id, action_name)
    try:
        case = perform(case)
    except actions.TransitionError as error:
        raise HttpError(409, str(error)) from None
    return case_detail(case)


@router.post("/{id:case_id}/submit", response={200: CaseOut, **ERRORS}, auth=TokenAuth(),
             summary="Submit a draft for review")
def submit_case(request, case_id: Id):
    return _transition(request, case_id, "submit", lambda c: actions.submit_case(case=c, actor=request.auth))


@router.post("/{id:case_id}/publish", response={200: CaseOut, **ERRORS}, auth=TokenAuth(),
             summary="Publish a submitted case (curators)")
def publish_case(request, case_id: Id):
    return _transition(request, case_id, "publish", lambda c: actions.publish_case(case=c, actor=request.auth))


@router.post("/{id:case_id}/return", response={200: CaseOut, **ERRORS}, auth=TokenAuth(),
             summary="Return a submitted case to its authors with a comment (curators)")
def return_case(request, case_id: Id, payload: ReturnIn):
    return _transition(request, case_id, "return",
                       lambda c: actions.return_case(case=c, actor=request.auth, comment=payload.comment))


@router.post("/{id:case_id}/archive", response={200: CaseOut, **ERRORS}, auth=TokenAuth(),
             summary="Archive a published case")
def archive_case(request, case_id: Id):
    return _transition(request, case_id, "archive", lambda c: actions.archive_case(case=c, actor=request.auth))
