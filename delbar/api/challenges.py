"""/api/challenges: innovation competitions, with the same access rules and actions as the pages
(challenges/access.py, challenges/actions.py). Reading a published challenge needs no token; creating one,
applying and reading applications need one.

What anyone reads is what the challenge's public page shows: the problem, the phases with their dates,
budgets, states and how many applied, the weighted criteria, answered questions and the published results
(who went on, with what amount). Applications are read only by those access.visible_applications lets:
the owners and appointed evaluators all of them, an applicant its own, nobody else any. Scores are in no
answer.

The shapes live here rather than in schemas.py, as the dialogues' do; the stability promise of docs/api.md
covers them the same way."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AnyHttpUrl, Field, UrlConstraints

from delbar.api.auth import TokenAuth
from delbar.api.schemas import Body, CpvCode, Error, Id, Kroner, OrganizationRef, PageNumber, Slug, Text
from delbar.challenges import access, actions
from delbar.challenges.models import Application, Challenge, Phase, Route
from delbar.groups import access as group_access
from delbar.needs import access as need_access
from delbar.needs.models import Visibility
from delbar.networks.models import Network
from delbar.notices.models import Notice
from delbar.orgs.models import CpvCode as CpvCodeModel
from delbar.orgs.models import Organization, Sector

router = Router(tags=["challenges"])
CHALLENGES_PER_PAGE = 20
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS = {401: Error, 404: Error, 422: Error}
# Challenge.notice_url is a URLField of Django's default 200 characters.
Link = Annotated[AnyHttpUrl, UrlConstraints(max_length=200)]
# More phases or criteria than any real competition has (SBIR runs three phases); few enough for one request.
MAX_PHASES = 10
MAX_CRITERIA = 20
MAX_PARTNERS = 20
MAX_CPV = 50
RouteCode = Literal["pre-commercial", "innovation-partnership", "design-contest"]
PhaseKind = Literal["feasibility", "prototype", "pilot", "concept"]
# A challenge's state: that of its current phase (Challenge.current_phase), or "ended".
State = Literal["upcoming", "open", "evaluation", "decided", "ended"]
PhaseNumber = Annotated[int, Field(ge=1, le=32767, description="The phase's number within the challenge: 1, 2, …")]


# --- Shapes -----------------------------------------------------------------------------------------------

class ChallengeSummary(Schema):
    id: int
    title: str
    route: RouteCode
    route_label: str
    owner: OrganizationRef
    network: str | None = Field(description="The network's slug, for a network's challenge")
    sector: str | None
    cpv: list[str]
    state: State
    open_phase: int | None = Field(description="The number of the phase open for applications now, if any")
    deadline: dt.datetime | None = Field(description="When the open phase's applications close")
    published_at: dt.datetime | None = Field(description="None for a draft (seen by its owners only)")
    ended_at: dt.datetime | None
    ended_in_contract: bool | None
    url: str


class AwardOut(Schema):
    lead: OrganizationRef
    partners: list[OrganizationRef]
    amount_nok: int


class PhaseOut(Schema):
    number: int
    kind: PhaseKind
    kind_label: str
    description: str
    budget_nok: int | None
    max_awards: int | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    evaluation_until: dt.date | None
    awards_by: dt.date | None
    invited_only: bool = Field(description="Only the previous phase's awardees may apply")
    state: Literal["upcoming", "open", "evaluation", "decided"]
    applicants: int = Field(description="How many applied (withdrawn applications not counted); never who")
    results_published_at: dt.datetime | None
    awards: list[AwardOut] = Field(description="Who went on, with what amount, once the result is published")
    awarded_total_nok: int


class CriterionOut(Schema):
    name: str
    description: str
    weight: int = Field(description="Percent; the weights add up to 100")


class ChallengeQuestionOut(Schema):
    id: int
    body: str
    answer: str
    answered_at: dt.datetime


class ChallengeOut(ChallengeSummary):
    problem: str
    success: str
    eligibility: str
    route_explanation: str
    need: int | None = Field(description="The public need it grew from")
    notice: int | None = Field(description="Its notice in Delbar (/api/notices)")
    notice_url: str
    budget_nok: int | None = Field(description="The phases' budgets together")
    phases: list[PhaseOut]
    criteria: list[CriterionOut]
    questions: list[ChallengeQuestionOut]
    case: int | None = Field(description="The published case made from it when it ended")


class ChallengePage(Schema):
    count: int
    items: list[ChallengeSummary]


class ResultsOut(Schema):
    challenge: int
    phases: list[PhaseOut]


class ChallengeFilters(Schema):
    route: RouteCode | None = None
    state: State | None = None
    sector: Slug | None = Field(None, description="A sector slug from /api/reference/sectors")


class PhaseIn(Body):
    kind: PhaseKind = "feasibility"
    description: Text = Field("", max_length=3000)
    budget_nok: Kroner | None = None
    max_awards: int | None = Field(None, ge=1, le=32767, description="How many may go on; none for no limit")
    opens_at: dt.datetime = Field(description="Without a time zone: Norwegian time")
    closes_at: dt.datetime
    evaluation_until: dt.date | None = None
    awards_by: dt.date | None = None
    invited_only: bool | None = Field(None, description="Default: no for the first phase, yes for later ones")


class CriterionIn(Body):
    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=2000)
    weight: int = Field(ge=1, le=100)


class ChallengeCreate(Body):
    title: Text = Field(min_length=1, max_length=200)
    problem: Text = Field(min_length=1, max_length=5000)
    success: Text = Field(min_length=1, max_length=3000)
    eligibility: Text = Field("", max_length=3000)
    route: RouteCode = "pre-commercial"
    owner: Id | None = Field(None, description="Needed only if you may create for several")
    need: Id | None = Field(None, description="From this need of yours (its sector and CPV codes are taken)")
    group: Id | None = Field(None, description="From this buyer group's shared need (its lead's editors)")
    network: Slug | None = Field(None, description="For this network (its curators)")
    sector: Slug | None = None
    cpv: list[CpvCode] | None = Field(None, max_length=MAX_CPV, description="Default: the need's")
    notice: Id | None = Field(None, description="Its notice in Delbar (/api/notices)")
    notice_url: Link | None = Field(None, description="The notice on Doffin or TED")
    phases: list[PhaseIn] = Field([], max_length=MAX_PHASES, description="In order")
    criteria: list[CriterionIn] = Field([], max_length=MAX_CRITERIA, description="Weights adding up to 100")
    publish: bool = Field(False, description="Publish at once (needs a phase ahead and the criteria)")


class ApplicationIn(Body):
    phase: PhaseNumber
    lead: Id | None = Field(None, description="The supplier leading; needed if you act for several")
    partners: list[Id] = Field([], max_length=MAX_PARTNERS, description="Consortium partners (suppliers)")
    title: Text = Field(min_length=1, max_length=200)
    summary: Text = Field(min_length=1, max_length=3000)
    approach: Text = Field(min_length=1, max_length=10000)
    innovation: Text = Field(min_length=1, max_length=5000)
    team: Text = Field(min_length=1, max_length=5000)
    plan: Text = Field(min_length=1, max_length=5000)
    amount_nok: Kroner = Field(description="The amount applied for")


class ApplicationDocumentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str = Field(description="The download page (logged in, in a browser)")


class ApplicationOut(Schema):
    id: int
    challenge: int
    phase: int
    lead: OrganizationRef
    partners: list[OrganizationRef]
    title: str
    summary: str
    approach: str
    innovation: str
    team: str
    plan: str
    amount_nok: int
    status: Literal["submitted", "withdrawn", "awarded", "not-awarded"]
    awarded_nok: int | None
    submitted_at: dt.datetime
    updated_at: dt.datetime
    documents: list[ApplicationDocumentOut]
    url: str


# --- Shaping ----------------------------------------------------------------------------------------------

def _org_ref(org: Organization) -> dict:
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def challenge_state(challenge: Challenge, now: dt.datetime | None = None) -> str:
    if challenge.ended_at is not None:
        return "ended"
    phase = challenge.current_phase(now)
    return phase.state(now) if phase is not None else Phase.State.UPCOMING


def challenge_summary(challenge: Challenge, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    phase = challenge.current_phase(now)
    state = challenge_state(challenge, now)
    is_open = state == Phase.State.OPEN
    return {
        "id": challenge.pk, "title": challenge.title, "route": challenge.route,
        "route_label": str(challenge.get_route_display()), "owner": _org_ref(challenge.owner),
        "network": challenge.network.slug if challenge.network_id else None, "sector": challenge.sector_id,
        "cpv": [cpv.code for cpv in challenge.cpv_codes.all()], "state": state,
        "open_phase": phase.number if is_open else None, "deadline": phase.closes_at if is_open else None,
        "published_at": challenge.published_at, "ended_at": challenge.ended_at,
        "ended_in_contract": challenge.ended_in_contract, "url": challenge.get_absolute_url(),
    }


def phase_out(entry: dict) -> dict:
    """A phase of actions.results(): what anyone may read."""
    phase = entry["phase"]
    return {
        "number": phase.number, "kind": phase.kind, "kind_label": str(phase.get_kind_display()),
        "description": phase.description, "budget_nok": phase.budget_nok, "max_awards": phase.max_awards,
        "opens_at": phase.opens_at, "closes_at": phase.closes_at, "evaluation_until": phase.evaluation_until,
        "awards_by": phase.awards_by, "invited_only": phase.invited_only, "state": entry["state"],
        "applicants": entry["applicants"], "results_published_at": phase.notified_at,
        "awards": [{"lead": _org_ref(application.lead),
                    "partners": [_org_ref(partner) for partner in application.partners.all()],
                    "amount_nok": application.awarded_nok} for application in entry["awards"]],
        "awarded_total_nok": entry["awarded_total"],
    }


def challenge_detail(challenge: Challenge) -> dict:
    budgets = [phase.budget_nok for phase in challenge.phases.all() if phase.budget_nok is not None]
    need = challenge.need
    return {
        **challenge_summary(challenge), "problem": challenge.problem, "success": challenge.success,
        "eligibility": challenge.eligibility, "route_explanation": str(challenge.route_explanation),
        "need": need.pk if need is not None and need.visibility == Visibility.PUBLIC else None,
        "notice": challenge.notice_id, "notice_url": challenge.notice_url,
        "budget_nok": sum(budgets) if budgets else None,
        "phases": [phase_out(entry) for entry in actions.results(challenge)],
        "criteria": [{"name": criterion.name, "description": criterion.description, "weight": criterion.weight}
                     for criterion in challenge.criteria.all()],
        "questions": [{"id": question.pk, "body": question.body, "answer": question.answer,
                       "answered_at": question.answered_at}
                      for question in challenge.questions.exclude(answered_at=None)],
        "case": challenge.case_id if challenge.case_id and challenge.case.is_published else None,
    }


def application_out(application: Application) -> dict:
    challenge_id = application.phase.challenge_id
    return {
        "id": application.pk, "challenge": challenge_id, "phase": application.phase.number,
        "lead": _org_ref(application.lead), "partners": [_org_ref(partner) for partner in application.partners.all()],
        "title": application.title, "summary": application.summary, "approach": application.approach,
        "innovation": application.innovation, "team": application.team, "plan": application.plan,
        "amount_nok": application.amount_nok, "status": application.status, "awarded_nok": application.awarded_nok,
        "submitted_at": application.submitted_at, "updated_at": application.updated_at,
        "documents": [{"id": document.pk, "title": document.title, "content_type": document.content_type,
                       "size": document.size,
                       "url": reverse("application_document_download", args=[challenge_id, application.pk,
                                                                             document.pk])}
                      for document in application.documents.all()],
        "url": application.get_absolute_url(),
    }


def _refused(error: actions.ChallengeError) -> HttpError:
    """A rule the action refused the change by: 422 naming the field, as the form shows it beside it."""
    return HttpError(422, f"{error.field}: {error}" if error.field else str(error))


def _challenge_for(request, pk, action: str = "view") -> Challenge:
    try:
        return access.get_challenge_for_user(request.auth, pk, action)
    except Http404:
        raise HttpError(404, "No such challenge.") from None
    except PermissionDenied:
        raise HttpError(403, f"You may not {action} this challenge.") from None


def _choose(chosen: int | None, allowed: list, label: str):
    by_id = {org.pk: org for org in allowed}
    if chosen is not None:
        if chosen not in by_id:
            raise HttpError(403, f"You may not act for {label} {chosen} here.")
        return by_id[chosen]
    if len(by_id) == 1:
        return next(iter(by_id.values()))
    raise HttpError(422, f"Say which organization ({label}).")


def _moment(value: dt.datetime) -> dt.datetime:
    """A time as stored: one without a zone is Norwegian time; one no calendar holds is refused."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise HttpError(422, f"{value.isoformat()} is not a time Delbar can hold.") from None


def _listing():
    return Challenge.objects.select_related("owner", "network").prefetch_related("cpv_codes", "phases")


# --- Reading ----------------------------------------------------------------------------------------------

@router.get("", response={200: ChallengePage, **READ_ERRORS}, summary="List challenges")
def list_challenges(request, filters: Query[ChallengeFilters], page: PageNumber = 1):
    """Published challenges (not cancelled), newest first; filtered by legal route, state (that of the
    current phase, or ended) and sector. Drafts are never listed, their owners' neither."""
    challenges = _listing().visible_to(request.auth)
    if filters.route:
        challenges = challenges.filter(route=filters.route)
    if filters.sector:
        challenges = challenges.filter(sector_id=filters.sector)
    now = timezone.now()
    found = list(challenges)
    if filters.state:
        # The state is the current phase's, worked out as the page works it out; published challenges are few.
        found = [challenge for challenge in found if challenge_state(challenge, now) == filters.state]
    paginator = Paginator(found, CHALLENGES_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    return {"count": paginator.count,
            "items": [challenge_summary(challenge, now) for challenge in paginator.page(page).object_list]}


@router.get("/{id:challenge_id}", response={200: ChallengeOut, **READ_ERRORS}, summary="Read one challenge")
def read_challenge(request, challenge_id: Id):
    """The challenge as its page shows it: fields, phases with dates, budgets, states and how many applied,
    the published results, the weighted criteria and answered questions. A draft: its owners only (404 to
    everyone else)."""
    return challenge_detail(_challenge_for(request, challenge_id))


@router.get("/{id:challenge_id}/results", response={200: ResultsOut, **READ_ERRORS},
            summary="A challenge's published results, phase by phase")
def read_results(request, challenge_id: Id):
    """Each phase with how many applied and, once its result is published, who went on (lead and partners)
    and with what amount. Never scores, and never an application that was not awarded."""
    challenge = _challenge_for(request, challenge_id)
    return {"challenge": challenge.pk, "phases": [phase_out(entry) for entry in actions.results(challenge)]}


@router.get("/{id:challenge_id}/applications", response={200: list[ApplicationOut], **READ_ERRORS},
            auth=TokenAuth(), summary="Applications you may read: all for owners and evaluators, your own else")
def list_applications(request, challenge_id: Id):
    """The owners and the appointed evaluators read every application; a supplier's people their own
    (as lead or consortium partner); anyone else none (an empty list). Scores are not here."""
    challenge = _challenge_for(request, challenge_id)
    applications = access.visible_applications(request.auth, challenge).select_related(
        "phase", "lead").prefetch_related("partners", "documents").order_by("phase__number", "submitted_at", "pk")
    return [application_out(application) for application in applications]


# --- Writing ----------------------------------------------------------------------------------------------

def _origin(user, payload: ChallengeCreate) -> dict:
    try:
        if payload.need is not None:
            return {"need": need_access.get_need_for_user(user, payload.need)}
        if payload.group is not None:
            return {"group": group_access.get_group_for_user(user, payload.group)}
        if payload.network is not None:
            return {"network": Network.objects.select_related("organization").get(slug=payload.network)}
    except (Http404, PermissionDenied, Network.DoesNotExist):
        raise HttpError(404, "No such need, buyer group or network, or you may not see it.") from None
    return {}


def _fields(payload: ChallengeCreate) -> tuple[dict, list | None]:
    fields = {"title": payload.title.strip(), "problem": payload.problem.strip(), "success": payload.success.strip(),
              "eligibility": payload.eligibility.strip(), "route": Route(payload.route),
              "notice_url": str(payload.notice_url) if payload.notice_url else ""}
    if payload.sector is not None:
        fields["sector"] = Sector.objects.filter(pk=payload.sector).first()
        if fields["sector"] is None:
            raise HttpError(422, f"sector: Unknown sector {payload.sector}.")
    if payload.notice is not None:
        fields["notice"] = Notice.objects.current().filter(pk=payload.notice).first()
        if fields["notice"] is None:
            raise HttpError(422, f"notice: No notice {payload.notice} in Delbar.")
    cpv = None
    if payload.cpv is not None:
        codes = list(dict.fromkeys(code.split("-")[0] for code in payload.cpv))
        found = CpvCodeModel.objects.in_bulk(codes)
        missing = [code for code in codes if code not in found]
        if missing:
            raise HttpError(422, f"cpv: Unknown CPV code {', '.join(missing)}.")
        cpv = [found[code] for code in codes]
    return fields, cpv


def _phase_fields(phase: PhaseIn) -> dict:
    fields = {"kind": phase.kind, "description": phase.description.strip(), "budget_nok": phase.budget_nok,
              "max_awards": phase.max_awards, "opens_at": _moment(phase.opens_at),
              "closes_at": _moment(phase.closes_at), "evaluation_until": phase.evaluation_until,
              "awards_by": phase.awards_by}
    if phase.invited_only is not None:
        fields["invited_only"] = phase.invited_only
    return fields


@router.post("", response={201: ChallengeOut, **ERRORS}, auth=TokenAuth(), summary="Create a challenge")
def create_challenge(request, payload: ChallengeCreate):
    """A draft challenge for a buyer you edit for (from one of its needs), for a buyer group you lead or for
    a network you curate (the same rule as the page), with its phases and criteria if given; published at
    once with `publish`. Nothing is kept when any part is refused (422 naming the field)."""
    user = request.auth
    origin = _origin(user, payload)
    owners = access.owner_choices(user, **origin)
    if not owners:
        raise HttpError(403, "Only a buyer's editors, a buyer group's lead or a network's curators create "
                             "challenges.")
    owner = _choose(payload.owner, owners, "owner")
    fields, cpv = _fields(payload)
    network = origin.get("network") or Network.objects.filter(organization=owner).first()
    try:
        with transaction.atomic():
            challenge = actions.create(actor=user, owner=owner, fields=fields, need=origin.get("need"),
                                       group=origin.get("group"), network=network, cpv_codes=cpv)
            for phase in payload.phases:
                actions.add_phase(challenge=challenge, actor=user, fields=_phase_fields(phase))
            if payload.criteria:
                actions.set_criteria(challenge=challenge, actor=user, rows=[
                    {"name": row.name, "description": row.description, "weight": row.weight}
                    for row in payload.criteria])
            if payload.publish:
                actions.publish(challenge=challenge, actor=user)
    except actions.ChallengeError as error:
        raise _refused(error) from None
    return Status(201, challenge_detail(access.get_challenge_for_user(user, challenge.pk)))


@router.post("/{id:challenge_id}/applications", response={201: ApplicationOut, **ERRORS}, auth=TokenAuth(),
             summary="Apply to a phase (suppliers)")
def apply(request, challenge_id: Id, payload: ApplicationIn):
    """Applies for a supplier you act for, alone or as the lead of a consortium, to a phase open for
    applications. Text only: documents are attached on the application's page. 409 if the lead has applied
    to the phase already (change that application on its page); 422 with the reason after the deadline,
    before the call opens, or in an invited-only phase for a supplier not awarded in the phase before."""
    user = request.auth
    challenge = _challenge_for(request, challenge_id)
    phase = challenge.phases.filter(number=payload.phase).first()
    if phase is None:
        raise HttpError(422, f"phase: The challenge has no phase {payload.phase}.")
    leads = access.applicant_organizations(user)
    if not leads:
        raise HttpError(403, "Applications are made by people acting for a supplier.")
    lead = _choose(payload.lead, leads, "lead")
    partners = list(Organization.objects.filter(pk__in=payload.partners))
    if len(partners) != len(set(payload.partners)):
        missing = sorted(set(payload.partners) - {partner.pk for partner in partners})
        raise HttpError(422, f"partners: No organization {', '.join(map(str, missing))}.")
    fields = {name: getattr(payload, name) for name in actions.REQUIRED_APPLICATION_FIELDS}
    fields["amount_nok"] = payload.amount_nok
    try:
        application = actions.apply(phase=phase, actor=user, lead=lead, fields=fields, partners=partners)
    except actions.AlreadyApplied as error:
        raise HttpError(409, str(error)) from None
    except actions.ChallengeError as error:
        raise _refused(error) from None
    return Status(201, application_out(application))
