"""/api/observatory and the adoption endpoints: the same figure functions, access helpers and actions
as the observatory and case diffusion pages."""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from pydantic import Field

from delbar.api.auth import TokenAuth
from delbar.api.schemas import (
    AdoptionIn,
    AdoptionOut,
    CaseDiffusionOut,
    Error,
    FigureOut,
    Id,
    ObservatoryOut,
    ObservatoryQuery,
)
from delbar.cases import access as case_access
from delbar.diffusion import access, actions, registry
from delbar.diffusion.casefigures import case_figures, eligible_population
from delbar.diffusion.figures import filters_or_errors
from delbar.diffusion.models import Adoption
from delbar.notices.models import Notice

NetworkSlug = Annotated[str, Field(max_length=60, pattern=r"^[-a-zA-Z0-9_]*$")]


class NetworkObservatoryQuery(ObservatoryQuery):
    """The observatory's filters, and a network: its collection's cases and their adoptions."""

    network: NetworkSlug | None = Field(None, description="A network's short name (slug): the figures of its "
                                                          "collection, its members' cases and those it added")


observatory = Router(tags=["diffusion"])
case_router = Router(tags=["diffusion"])
adoptions = Router(tags=["diffusion"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def _filters(query: NetworkObservatoryQuery) -> dict:
    filters, errors = filters_or_errors({k: v for k, v in query.dict().items() if v is not None})
    if filters is None:
        raise HttpError(422, "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
    return filters


@observatory.get("", response={200: ObservatoryOut, 401: Error, 422: Error},
                 summary="Every observatory figure")
def all_figures(request, query: Query[NetworkObservatoryQuery]):
    """Every figure of the observatory page, for the same filters. Curators (by token) also get the
    municipalities not reached."""
    filters = _filters(query)
    curator = access.is_curator(request.auth)
    names = registry.NAMES if curator else list(registry.PUBLIC)
    found = registry.figures(names, filters, curator=curator)
    return {"filters": filters["params"],
            "figures": {name: figure.as_json(filters["params"]) for name, figure in found.items()}}


@observatory.get("/{slug:name}", response={200: FigureOut, 401: Error, 404: Error, 422: Error},
                 summary="One observatory figure")
def one_figure(request, name: Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$")],
               query: Query[NetworkObservatoryQuery]):
    """One figure by name: activity, breakdown, reach-by-size, reach-by-county, map, spread, speed,
    network, challenges, challenges-by-year, challenges-by-sector (and, for curators, unreached). The same
    rows as the page's table and its CSV."""
    filters = _filters(query)
    figure = registry.figure(name, filters, curator=access.is_curator(request.auth))
    if figure is None:
        raise HttpError(404, f"No figure called {name}.")
    return figure.as_json(filters["params"])


def adoption_out(adoption: Adoption) -> dict:
    org = adoption.organization
    return {"id": adoption.pk, "case": adoption.case_id,
            "organization": {"id": org.pk, "name": org.name, "kind": org.kind},
            "adopted_on": adoption.adopted_on, "route": adoption.route, "state": adoption.state, "note": adoption.note,
            "evidence_notice": adoption.evidence_notice_id, "evidence_case": adoption.evidence_case_id,
            "evidence_url": adoption.evidence_url, "reasons": adoption.reasons, "score": adoption.score}


def _published_case(request, case_id: int):
    try:
        case = case_access.get_case_for_user(request.auth, case_id)
    except Http404:
        raise HttpError(404, "No such case.") from None
    if not case.is_published:
        raise HttpError(404, "Diffusion is shown for published cases.")
    return case


@case_router.get("/{id:case_id}/diffusion", response={200: CaseDiffusionOut, 401: Error, 404: Error},
                 summary="One case's diffusion")
def case_diffusion(request, case_id: Id):
    """The case's curve, adopters in order with Rogers' categories, and the sizes and regions reached."""
    case = _published_case(request, case_id)
    figures = case_figures(case)
    return {"case": case.pk, "eligible_population": eligible_population(),
            "figures": {name: figure.as_json({"case": case.pk}) for name, figure in figures.items()}}


@case_router.get("/{id:case_id}/adoptions", response={200: list[AdoptionOut], 401: Error, 404: Error},
                 summary="A case's adoption records")
def case_adoptions(request, case_id: Id):
    """Declared and confirmed adoptions for everyone; proposals too for the adopter's editors and curators."""
    case = _published_case(request, case_id)
    user = request.auth
    rows = Adoption.objects.filter(case=case).select_related("organization").order_by("adopted_on", "id")
    return [adoption_out(adoption) for adoption in rows if access.can_view(user, adoption)]


@case_router.post("/{id:case_id}/adoptions", response={201: AdoptionOut, **ERRORS}, auth=TokenAuth(),
                  summary="Declare that your organization took the case up")
def declare(request, case_id: Id, payload: AdoptionIn):
    case = _published_case(request, case_id)
    organizations = access.declarable_organizations(request.auth, case)
    if payload.organization is not None:
        organization = organizations.filter(pk=payload.organization).first()
        if organization is None:
            raise HttpError(403, "You cannot declare adoptions for that organization.")
    elif organizations.count() == 1:
        organization = organizations.get()
    else:
        raise HttpError(403 if not organizations.exists() else 422,
                        "Say which organization took it up (organization)." if organizations.exists() else
                        "Only editors of a public buyer (other than the case's own) declare adoptions.")
    notice = None
    if payload.evidence_notice is not None:
        notice = Notice.objects.filter(pk=payload.evidence_notice, organization=organization).first()
        if notice is None:
            raise HttpError(422, "evidence_notice must be one of the adopter's own notices.")
    if payload.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(payload.evidence_url)
        except ValidationError:
            raise HttpError(422, "evidence_url must be an http(s) address.") from None
    try:
        adoption = actions.declare(case=case, actor=request.auth, organization=organization,
                                   adopted_on=payload.adopted_on, route=payload.route, note=payload.note,
                                   evidence_notice=notice, evidence_url=payload.evidence_url)
    except actions.AdoptionError as error:
        raise HttpError(422, str(error)) from None
    return Status(201, adoption_out(adoption))


def _decide(request, adoption_id: int, decision: str):
    adoption = get_object_or_404(Adoption.objects.select_related("case", "organization"), pk=adoption_id)
    user = request.auth
    if not access.can_view(user, adoption) or not adoption.case.is_published:
        raise HttpError(404, "No such adoption.")
    if not access.may_decide(user, adoption, decision):
        raise HttpError(403, f"You cannot {decision} this adoption.")
    try:
        adoption = actions.decide(adoption=adoption, actor=user, decision=decision)
    except actions.AdoptionError as error:
        raise HttpError(422, str(error)) from None
    return Status(204, None) if adoption is None else adoption_out(adoption)


@adoptions.post("/{id:adoption_id}/confirm", response={200: AdoptionOut, **ERRORS}, auth=TokenAuth(),
                summary="Confirm a declared adoption (the case's owners and curators)")
def confirm(request, adoption_id: Id):
    return _decide(request, adoption_id, "confirm")


@adoptions.post("/{id:adoption_id}/dismiss", response={200: AdoptionOut, **ERRORS}, auth=TokenAuth(),
                summary="Dismiss a proposal (the adopter) or a declaration (owners and curators)")
def dismiss(request, adoption_id: Id):
    return _decide(request, adoption_id, "dismiss")


@adoptions.post("/{id:adoption_id}/accept", response={200: AdoptionOut, **ERRORS}, auth=TokenAuth(),
                summary="Say yes to a proposed adoption (the adopter)")
def accept(request, adoption_id: Id):
    return _decide(request, adoption_id, "accept")


@adoptions.post("/{id:adoption_id}/withdraw", response={204: None, **ERRORS}, auth=TokenAuth(),
                summary="Withdraw your own declaration")
def withdraw(request, adoption_id: Id):
    return _decide(request, adoption_id, "withdraw")

