"""/api/dialogues: dialogue conferences and market dialogues, with the same access rules and actions as the
pages (dialogues/access.py, dialogues/actions.py). Reading a dialogue needs no token; registering, written
input and what only organizers see need one.

The shapes live here rather than in schemas.py: they are the dialogues' own, and the stability promise of
docs/api.md covers them the same way."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AnyHttpUrl, Field, UrlConstraints

from delbar.accounts.roles import roles_of
from delbar.api.auth import TokenAuth
from delbar.api.schemas import Body, Error, Id, OrganizationRef, PageNumber, Slug, Text
from delbar.dialogues import access, actions
from delbar.dialogues.models import Dialogue, Registration, WrittenInput
from delbar.groups import access as group_access
from delbar.needs import access as need_access
from delbar.networks.models import Network
from delbar.notices.models import Notice

router = Router(tags=["dialogues"])
DIALOGUES_PER_PAGE = 20
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
# Dialogue.online_url and notice_url are URLFields of Django's default 200 characters.
Link = Annotated[AnyHttpUrl, UrlConstraints(max_length=200)]
MAX_QUESTIONS = 50
MAX_NEEDS = 50
MAX_ATTENDEES = 50


# --- Shapes -----------------------------------------------------------------------------------------------

class DialogueSummary(Schema):
    id: int
    kind: Literal["conference", "market", "meeting"]
    title: str
    organizer: OrganizationRef
    network: str | None = Field(description="The network's slug, for a network's dialogue")
    starts_at: dt.datetime
    ends_at: dt.datetime
    registration_deadline: dt.datetime
    place: str
    online: bool = Field(description="Held online (the link goes to registered participants)")
    cancelled: bool
    registration_open: bool
    url: str


class AnsweredQuestion(Schema):
    id: int
    body: str
    answer: str
    answered_at: dt.datetime


class DialogueOut(DialogueSummary):
    purpose: str
    agenda: str
    market_questions: list[str]
    needs: list[int] = Field(description="The needs on the agenda that you may see")
    capacity: int | None
    places_taken: int
    notice: int | None
    notice_url: str
    online_url: str | None = Field(description="Only for the organizers and registered participants")
    questions: list[AnsweredQuestion]
    summary: str | None = Field(description="Once published, after the dialogue")
    summary_published_at: dt.datetime | None
    participants: list[OrganizationRef] = Field(description="The participating organizations, once the summary "
                                                            "is published; never the attendees")


class DialoguePage(Schema):
    count: int
    items: list[DialogueSummary]


class DialogueCreate(Body):
    kind: Literal["conference", "market", "meeting"] = "conference"
    title: Text = Field(min_length=1, max_length=200)
    purpose: Text = Field(min_length=1, max_length=3000)
    agenda: Text = Field("", max_length=5000)
    market_questions: list[Annotated[Text, Field(max_length=500)]] = Field([], max_length=MAX_QUESTIONS)
    organizer: Id | None = Field(None, description="Needed only if you may announce for several")
    need: Id | None = Field(None, description="Announce on this need of yours")
    group: Id | None = Field(None, description="Announce for this buyer group (its lead's editors)")
    network: Slug | None = Field(None, description="Announce for this network (its curators)")
    needs: list[Id] = Field([], max_length=MAX_NEEDS, description="The needs on the agenda")
    starts_at: dt.datetime = Field(description="Without a time zone: Norwegian time")
    ends_at: dt.datetime
    registration_deadline: dt.datetime
    place: Text = Field("", max_length=300)
    online_url: Link | None = None
    capacity: int | None = Field(None, ge=1, le=32767, description="Places (organizations); none for no limit")
    notice: Id | None = Field(None, description="A prior information notice in Delbar (/api/notices)")
    notice_url: Link | None = Field(None, description="The notice on Doffin or TED")


class RegistrationIn(Body):
    organization: Id | None = Field(None, description="The organization registering; needed if you act for several")
    attendees: list[Annotated[Text, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=MAX_ATTENDEES, description="Name and role of each person coming")


class RegistrationOut(Schema):
    id: int
    dialogue: int
    organization: OrganizationRef
    attendees: list[str]
    created_at: dt.datetime
    cancelled_at: dt.datetime | None


class InputIn(Body):
    organization: Id | None = Field(None, description="The supplier; needed if you act for several")
    body: Text = Field(min_length=1, max_length=20000)


class InputDocumentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str = Field(description="The download page (logged in, in a browser)")


class InputOut(Schema):
    id: int
    dialogue: int
    organization: OrganizationRef
    body: str
    submitted_at: dt.datetime
    updated_at: dt.datetime
    documents: list[InputDocumentOut]


# --- Shaping ----------------------------------------------------------------------------------------------

def _org_ref(org) -> dict:
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def dialogue_summary(dialogue: Dialogue) -> dict:
    return {
        "id": dialogue.pk, "kind": dialogue.kind, "title": dialogue.title, "organizer": _org_ref(dialogue.organizer),
        "network": dialogue.network.slug if dialogue.network else None, "starts_at": dialogue.starts_at,
        "ends_at": dialogue.ends_at, "registration_deadline": dialogue.registration_deadline,
        "place": dialogue.place, "online": bool(dialogue.online_url), "cancelled": dialogue.cancelled_at is not None,
        "registration_open": dialogue.registration_open, "url": dialogue.get_absolute_url(),
    }


def _acting_org_ids(user) -> set[int]:
    roles = roles_of(user)
    return roles.editor_org_ids | roles.supplier_org_ids | roles.org_admin_org_ids


def dialogue_detail(dialogue: Dialogue, user) -> dict:
    active = list(dialogue.registrations.active().select_related("organization"))
    needs = list(dialogue.needs.all())
    visible = access.may_see_need_ids(user, needs)
    insider = access.is_organizer(user, dialogue) or any(
        registration.organization_id in _acting_org_ids(user) for registration in active)
    published = dialogue.summary_published_at is not None
    return {
        **dialogue_summary(dialogue), "purpose": dialogue.purpose, "agenda": dialogue.agenda,
        "market_questions": dialogue.question_lines(), "needs": [need.pk for need in needs if need.pk in visible],
        "capacity": dialogue.capacity, "places_taken": len(active), "notice": dialogue.notice_id,
        "notice_url": dialogue.notice_url,
        "online_url": dialogue.online_url if insider and dialogue.online_url else None,
        "questions": [{"id": question.pk, "body": question.body, "answer": question.answer,
                       "answered_at": question.answered_at}
                      for question in dialogue.questions.exclude(answered_at=None)],
        "summary": dialogue.summary if published else None, "summary_published_at": dialogue.summary_published_at,
        "participants": [_org_ref(registration.organization) for registration in active] if published else [],
    }


def registration_out(registration: Registration) -> dict:
    return {"id": registration.pk, "dialogue": registration.dialogue_id,
            "organization": _org_ref(registration.organization), "attendees": registration.attendee_lines(),
            "created_at": registration.created_at, "cancelled_at": registration.cancelled_at}


def input_out(written: WrittenInput) -> dict:
    return {"id": written.pk, "dialogue": written.dialogue_id, "organization": _org_ref(written.organization),
            "body": written.body, "submitted_at": written.submitted_at, "updated_at": written.updated_at,
            "documents": [{"id": document.pk, "title": document.title, "content_type": document.content_type,
                           "size": document.size, "url": f"/dialogues/{written.dialogue_id}/input/documents/"
                                                         f"{document.pk}/"} for document in written.documents.all()]}


def _dialogue_for(request, pk, action: str = "view") -> Dialogue:
    try:
        return access.get_dialogue_for_user(request.auth, pk, action)
    except Http404:
        raise HttpError(404, "No such dialogue.") from None
    except PermissionDenied:
        raise HttpError(403, f"You may not {action} at this dialogue.") from None


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


# --- Operations -------------------------------------------------------------------------------------------

@router.get("", response={200: DialoguePage, 401: Error, 422: Error}, summary="List dialogues")
def list_dialogues(request, when: Literal["upcoming", "past"] = "upcoming", page: PageNumber = 1):
    """Upcoming dialogues, soonest first (cancelled ones left out), or past ones, latest first."""
    dialogues = Dialogue.objects.select_related("organizer", "network")
    dialogues = dialogues.upcoming() if when == "upcoming" else dialogues.past()
    paginator = Paginator(dialogues, DIALOGUES_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    return {"count": paginator.count, "items": [dialogue_summary(d) for d in paginator.page(page).object_list]}


@router.get("/{id:dialogue_id}", response={200: DialogueOut, **ERRORS}, summary="Read one dialogue")
def read_dialogue(request, dialogue_id: Id):
    """Everything public: purpose, agenda, questions for the market, answered questions, and the summary and
    participating organizations once published."""
    return dialogue_detail(_dialogue_for(request, dialogue_id), request.auth)


@router.post("", response={201: DialogueOut, **ERRORS}, auth=TokenAuth(), summary="Announce a dialogue")
def create_dialogue(request, payload: DialogueCreate):
    """Announces a dialogue for a buyer you edit for (on its open needs), for a buyer group you lead, or for
    a network you curate. The same rules as the page: a start ahead, an end after the start, a registration
    deadline before the end, a place or an online link."""
    user = request.auth
    origin = {}
    try:
        if payload.need is not None:
            origin["need"] = need_access.get_need_for_user(user, payload.need)
        elif payload.group is not None:
            origin["group"] = group_access.get_group_for_user(user, payload.group)
        elif payload.network is not None:
            origin["network"] = Network.objects.select_related("organization").get(slug=payload.network)
    except (Http404, Network.DoesNotExist):
        raise HttpError(404, "No such need, buyer group or network, or you may not see it.") from None
    organizers = access.organizer_choices(user, **origin)
    if not organizers:
        raise HttpError(403, "Only a buyer's editors, a buyer group's lead or a network's curators announce "
                             "dialogues.")
    organizer = _choose(payload.organizer, organizers, "organizer")
    allowed = access.need_choices(user, organizers=[organizer], group=origin.get("group"),
                                  network=origin.get("network"), include=[origin["need"]] if "need" in origin else ())
    chosen = list(dict.fromkeys(payload.needs or ([origin["need"].pk] if "need" in origin else [])))
    needs = list(allowed.filter(pk__in=chosen))
    if len(needs) != len(chosen):
        missing = sorted(set(chosen) - {need.pk for need in needs})
        raise HttpError(422, f"Not needs you may put on the agenda: {', '.join(map(str, missing))}.")
    notice = None
    if payload.notice is not None:
        notice = Notice.objects.current().filter(pk=payload.notice).first()
        if notice is None:
            raise HttpError(422, f"No notice {payload.notice} in Delbar.")
    questions = "\n".join(line.strip() for line in payload.market_questions if line.strip())
    if len(questions) > Dialogue._meta.get_field("market_questions").max_length:
        raise HttpError(422, "The questions for the market are too long together.")
    fields = {"kind": payload.kind, "title": payload.title.strip(), "purpose": payload.purpose.strip(),
              "agenda": payload.agenda.strip(), "market_questions": questions,
              "starts_at": _moment(payload.starts_at), "ends_at": _moment(payload.ends_at),
              "registration_deadline": _moment(payload.registration_deadline), "place": payload.place.strip(),
              "online_url": str(payload.online_url) if payload.online_url else "", "capacity": payload.capacity,
              "notice": notice, "notice_url": str(payload.notice_url) if payload.notice_url else ""}
    found = actions.problems(fields, check_start=True)
    if found:
        raise HttpError(422, " ".join(f"{name}: {message}" for name, message in found.items()))
    network = origin.get("network") or Network.objects.filter(organization=organizer).first()
    try:
        dialogue = actions.announce(actor=user, organizer=organizer, fields=fields, needs=needs,
                                    group=origin.get("group"), network=network)
    except actions.DialogueError as error:
        raise HttpError(422, str(error)) from None
    return Status(201, dialogue_detail(dialogue, user))


@router.post("/{id:dialogue_id}/registrations", response={201: RegistrationOut, **ERRORS}, auth=TokenAuth(),
             summary="Register an organization, with its attendees")
def register(request, dialogue_id: Id, payload: RegistrationIn):
    """409 if the organization is registered already; 422 when registration is closed (the deadline has
    passed, the dialogue is full or cancelled), with the reason in `detail`. The person registering gets
    the calendar invitation by e-mail."""
    dialogue = _dialogue_for(request, dialogue_id, "register")
    organization = _choose(payload.organization, access.registrable_organizations(request.auth, dialogue),
                           "organization")
    try:
        registration = actions.register(dialogue=dialogue, actor=request.auth, organization=organization,
                                        attendees=payload.attendees)
    except actions.AlreadyRegistered as error:
        raise HttpError(409, str(error)) from None
    except actions.DialogueError as error:
        raise HttpError(422, str(error)) from None
    return Status(201, registration_out(registration))


@router.get("/{id:dialogue_id}/registration", response={200: list[RegistrationOut], **ERRORS}, auth=TokenAuth(),
            summary="Your organizations' registrations for a dialogue")
def my_registration(request, dialogue_id: Id):
    dialogue = _dialogue_for(request, dialogue_id)
    return [registration_out(registration) for registration in dialogue.registrations.filter(
        organization_id__in=_acting_org_ids(request.auth)).select_related("organization")]


@router.get("/{id:dialogue_id}/registrations", response={200: list[RegistrationOut], **ERRORS}, auth=TokenAuth(),
            summary="Every registration, with attendees (the organizers)")
def list_registrations(request, dialogue_id: Id):
    dialogue = _dialogue_for(request, dialogue_id, "organize")
    return [registration_out(registration) for registration in dialogue.registrations.select_related("organization")]


@router.post("/{id:dialogue_id}/input", response={200: InputOut, 201: InputOut, **ERRORS}, auth=TokenAuth(),
             summary="Give or change your written input (suppliers)")
def give_input(request, dialogue_id: Id, payload: InputIn):
    """Open until the dialogue ends; only the organizers and the supplier's own people read it. 201 for new
    input, 200 for a change. Documents are attached on the dialogue's page."""
    dialogue = _dialogue_for(request, dialogue_id, "input")
    organization = _choose(payload.organization, access.input_organizations(request.auth), "supplier")
    existed = WrittenInput.objects.filter(dialogue=dialogue, organization=organization).exists()
    try:
        written = actions.give_input(dialogue=dialogue, actor=request.auth, organization=organization,
                                     body=payload.body)
    except actions.DialogueError as error:
        raise HttpError(422, str(error)) from None
    return Status(200 if existed else 201, input_out(written))


@router.get("/{id:dialogue_id}/input", response={200: list[InputOut], **ERRORS}, auth=TokenAuth(),
            summary="Written input: all of it for the organizers, its own for a supplier")
def list_input(request, dialogue_id: Id):
    dialogue = _dialogue_for(request, dialogue_id)
    inputs = dialogue.inputs.select_related("organization").prefetch_related("documents")
    if not access.is_organizer(request.auth, dialogue):
        supplier_ids = roles_of(request.auth).supplier_org_ids
        if not supplier_ids:
            raise HttpError(403, "Only the organizers and the suppliers who gave input read it.")
        inputs = inputs.filter(organization_id__in=supplier_ids)
    return [input_out(written) for written in inputs]
