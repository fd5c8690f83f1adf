"""Every change to a dialogue goes through these functions: pages, API, commands and the demo alike. Each is
atomic and audited, tells the people concerned (`notify`), keeps search current, and sends its e-mails
only once the change is committed (nothing is sent for a change that rolls back).

The rules for a dialogue's dates, place and notice are written once, in `problems()`: the form shows them
beside the fields, the API answers 422 with them, and these actions refuse anything that breaks them."""

import datetime as dt
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from delbar import search
from delbar.accounts.people import members_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases.documents import safe_display_name
from delbar.dialogues import invitations, matchmaking
from delbar.dialogues.access import organizer_people
from delbar.dialogues.models import (
    Dialogue,
    DialogueQuestion,
    InputDocument,
    Meeting,
    Registration,
    WrittenInput,
)
from delbar.groups import actions as group_actions
from delbar.groups.models import BuyerGroup
from delbar.needs.models import NeedStatus
from delbar.notices.models import DOFFIN_ID, Notice
from delbar.orgs.models import Organization

# Far enough ahead for any real dialogue; beyond it a date is a typing error (and a calendar's time zone
# rules, written for the years around the event, stay short).
MAX_AHEAD = dt.timedelta(days=5 * 366)
REMIND_BEFORE = dt.timedelta(hours=24)
NOTICE_HOSTS = ("doffin.no", "ted.europa.eu")
# What changes a calendar entry: a change to any of these raises the event's SEQUENCE and re-sends it.
CALENDAR_FIELDS = ("title", "purpose", "starts_at", "ends_at", "place", "online_url")
EDITABLE_FIELDS = ("kind", "title", "purpose", "agenda", "market_questions", "starts_at", "ends_at",
                   "registration_deadline", "place", "online_url", "capacity", "notice", "notice_url")


class DialogueError(ValueError):
    """A change the rules do not allow; the message says why, for the user. `field` names the form field
    it is about, where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegistrationClosed(DialogueError):
    """Registration is closed: past the deadline, the dialogue full or cancelled."""


class AlreadyRegistered(DialogueError):
    """The organization is registered already."""


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _is_notice_address(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == allowed or host.endswith("." + allowed) for allowed in NOTICE_HOSTS)


def problems(values: dict, *, check_start: bool, registered: int = 0, now: dt.datetime | None = None) -> dict:
    """{field name: why} for every rule `values` break (a dialogue's fields, as given). `check_start`: the
    start and the registration deadline must lie ahead (a new dialogue, or a start being moved)."""
    now = now or timezone.now()
    found = {}
    starts, ends, deadline = values.get("starts_at"), values.get("ends_at"), values.get("registration_deadline")
    if not (values.get("title") or "").strip():
        found["title"] = _("Give the dialogue a title.")
    if not (values.get("purpose") or "").strip():
        found["purpose"] = _("Say what you want to learn from the market.")
    if starts is not None:
        if check_start and starts < now:
            found["starts_at"] = _("The start is in the past.")
        elif starts > now + MAX_AHEAD:
            found["starts_at"] = _("A dialogue is announced at most five years ahead.")
    if starts is not None and ends is not None and ends <= starts:
        found["ends_at"] = _("The dialogue must end after it starts.")
    if deadline is not None:
        if ends is not None and deadline > ends:
            found["registration_deadline"] = _("The registration deadline must be before the dialogue ends.")
        elif check_start and deadline < now:
            found["registration_deadline"] = _("The registration deadline has already passed.")
    if not (values.get("place") or "").strip() and not (values.get("online_url") or "").strip():
        found["place"] = _("Give a place, an online meeting link, or both.")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        found["capacity"] = _("Give at least one place, or leave it blank for no limit.")
    elif capacity is not None and capacity < registered:
        found["capacity"] = _("%(count)s organizations are registered already: give at least as many places.") % {
            "count": registered}
    if values.get("notice_url") and not _is_notice_address(values["notice_url"]):
        found["notice_url"] = _("Give the notice's address on Doffin (doffin.no) or TED (ted.europa.eu).")
    return found


def _refuse(found: dict) -> None:
    if found:
        field, message = next(iter(found.items()))
        raise DialogueError(message, field)


def find_notice(reference: str) -> Notice | None:
    """A notice in Delbar by its id here, its notice identifier, its TED publication number or its Doffin
    number ("2024-113575", also inside a Doffin address); the current version."""
    reference = reference.strip()
    if not reference:
        return None
    notices = Notice.objects.current()
    if reference.isdigit() and len(reference) < 19:
        found = notices.filter(pk=int(reference)).first()
        if found:
            return found
    found = notices.filter(Q(notice_id=reference) | Q(publication_number=reference)).first()
    if found:
        return found
    doffin = DOFFIN_ID.search(reference)
    if doffin is None:
        return None
    number = doffin.group(1)
    candidates = notices.filter(Q(source_file__contains=number) | Q(notice_id__contains=number)
                                | Q(procedure_id__contains=number)).order_by("-publication_date", "-pk")[:20]
    return next((notice for notice in candidates if notice.doffin_id == number), None)


def _registrants(dialogue: Dialogue) -> list:
    return [registration.registered_by for registration in
            dialogue.registrations.active().select_related("registered_by") if registration.registered_by]


def _after_commit(send, *args, **kwargs) -> None:
    # robust: a mail server that is down is logged, and does not turn a saved change into an error page.
    transaction.on_commit(lambda: send(*args, **kwargs), robust=True)


# --- Announcing, changing, cancelling ---------------------------------------------------------------------

@transaction.atomic
def announce(*, actor, organizer: Organization, fields: dict, needs=(), group: BuyerGroup | None = None,
             network=None) -> Dialogue:
    """Announces a dialogue. Whoever may announce for `organizer` is decided by access.organizer_choices;
    the needs by access.need_choices."""
    _refuse(problems(fields, check_start=True))
    dialogue = Dialogue(organizer=organizer, group=group, network=network,
                        created_by=actor if actor is not None and actor.is_authenticated else None)
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.save()
    dialogue.needs.set(needs)
    record(actor=actor, action="dialogue.announce", obj=dialogue, title=dialogue.title,
           needs=sorted(need.pk for need in needs))
    search.index(dialogue)
    return dialogue


@transaction.atomic
def update(*, dialogue: Dialogue, actor, fields: dict, needs=None) -> list[str]:
    """Applies the changes; returns the names of the fields that changed (empty: nothing was written).
    Registered people get the changed invitation when the time, place or link changed."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.cancelled_at is not None:
        raise DialogueError(_("The dialogue is cancelled and can no longer be changed."))
    if dialogue.is_past:
        raise DialogueError(_("The dialogue is over and can no longer be changed. Publish its summary instead."))
    changed = [name for name, value in fields.items() if getattr(dialogue, name) != value]
    if needs is not None and {need.pk for need in needs} != set(dialogue.needs.values_list("pk", flat=True)):
        changed.append("needs")
    if not changed:
        return []
    values = {name: getattr(dialogue, name) for name in EDITABLE_FIELDS} | fields
    _refuse(problems(values, check_start="starts_at" in changed, registered=dialogue.places_taken()))
    for name in changed:
        if name != "needs":
            setattr(dialogue, name, fields[name])
    calendar_changed = any(name in CALENDAR_FIELDS for name in changed)
    if calendar_changed:
        dialogue.sequence += 1
    dialogue.save()
    if "needs" in changed:
        dialogue.needs.set(needs)
    record(actor=actor, action="dialogue.update", obj=dialogue, fields=changed)
    search.index(dialogue)
    if calendar_changed:
        registrants = _registrants(dialogue)
        notify(registrants, event=f"dialogue-changed:{dialogue.pk}:{dialogue.sequence}",
               title=_("“%(title)s” has changed: see the new time and place") % {"title": dialogue.title},
               url=dialogue.get_absolute_url())
        for user in registrants:
            _after_commit(invitations.send_invitation, dialogue, user, changed=True)
    return changed


@transaction.atomic
def cancel(*, dialogue: Dialogue, actor, note: str = "") -> Dialogue:
    """Cancels the dialogue: registered people are told, their calendars get the cancellation, and it
    leaves search."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.cancelled_at is not None:
        raise DialogueError(_("The dialogue is cancelled already."))
    if dialogue.is_past:
        raise DialogueError(_("The dialogue is over; it can no longer be cancelled."))
    dialogue.cancelled_at = timezone.now()
    dialogue.sequence += 1
    dialogue.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    record(actor=actor, action="dialogue.cancel", obj=dialogue, note=note.strip())
    search.remove(dialogue)
    registrants = _registrants(dialogue)
    notify(registrants, event=f"dialogue-cancelled:{dialogue.pk}",
           title=_("Cancelled: %(title)s") % {"title": dialogue.title}, url=dialogue.get_absolute_url())
    for user in registrants:
        _after_commit(invitations.send_cancellation, dialogue, user, note=note.strip())
    return dialogue


# --- Registrations ----------------------------------------------------------------------------------------

def attendee_text(attendees) -> str:
    """Attendees as stored: one person a line, blank lines dropped."""
    lines = attendees.splitlines() if isinstance(attendees, str) else list(attendees)
    return "\n".join(line.strip() for line in lines if line.strip())


@transaction.atomic
def register(*, dialogue: Dialogue, actor, organization: Organization, attendees) -> Registration:
    """Registers `organization` with its attendees and e-mails `actor` the calendar invitation. Refused
    when registration is closed, the dialogue is full, or the organization is registered already."""
    # The row lock makes registrations for one dialogue wait for each other, so two cannot both take
    # the last place.
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.cancelled_at is not None:
        raise RegistrationClosed(_("The dialogue is cancelled."))
    if timezone.now() > dialogue.registration_deadline:
        raise RegistrationClosed(_("Registration closed on %(deadline)s.") % {
            "deadline": _local(dialogue.registration_deadline)})
    if organization.pk == dialogue.organizer_id:
        raise DialogueError(_("The organizer does not register for its own dialogue."), "organization")
    text = attendee_text(attendees)
    if not text:
        raise DialogueError(_("Name at least one person who is coming."), "attendees")
    if len(text) > Registration._meta.get_field("attendees").max_length:
        raise DialogueError(_("The list of attendees is too long."), "attendees")
    existing = Registration.objects.filter(dialogue=dialogue, organization=organization).first()
    if existing is not None and existing.cancelled_at is None:
        raise AlreadyRegistered(_("%(organization)s is registered already.") % {"organization": organization.name},
                                "organization")
    if dialogue.capacity is not None and dialogue.places_taken() >= dialogue.capacity:
        raise RegistrationClosed(_("The dialogue is full: all %(count)s places are taken.") % {
            "count": dialogue.capacity})
    registration = existing or Registration(dialogue=dialogue, organization=organization)
    registration.registered_by = actor
    registration.attendees = text
    registration.cancelled_at = None
    registration.reminded_at = None
    registration.save()
    record(actor=actor, action="dialogue.register", obj=dialogue, organization=organization.pk)
    _after_commit(invitations.send_invitation, dialogue, actor)
    return registration


@transaction.atomic
def cancel_registration(*, registration: Registration, actor) -> Registration:
    registration = Registration.objects.select_for_update().select_related("dialogue").get(pk=registration.pk)
    if registration.cancelled_at is not None:
        raise DialogueError(_("The registration is cancelled already."))
    if registration.dialogue.is_past:
        raise DialogueError(_("The dialogue is over."))
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["cancelled_at"])
    record(actor=actor, action="dialogue.unregister", obj=registration.dialogue,
           organization=registration.organization_id)
    # The calendar entry to remove is the one the invitation put in the registrant's calendar.
    _after_commit(invitations.send_cancellation, registration.dialogue, registration.registered_by or actor,
                  registration_only=True)
    return registration


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mails and notifies the registrant of each active registration at most once, in the day before the
    dialogue starts; returns how many were reminded. Each registration is claimed first: marked reminded,
    with its notification in Delbar, in a transaction of its own under its row lock, committed before the
    e-mail goes to the mail server, so reruns, parallel workers and a worker restarted after a kill never
    send a second reminder. A failed send puts the mark back and the next run tries again; a worker killed
    between the claim and the server's acceptance loses that one e-mail (the notification in Delbar
    stays; docs/operations.md)."""
    now = now or timezone.now()
    reminded = 0
    due = Dialogue.objects.active().filter(starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE)
    for dialogue in due.select_related("organizer"):
        pending = dialogue.registrations.active().filter(reminded_at=None).values_list("pk", flat=True)
        for registration_id in list(pending):
            claim = _claim_reminder(dialogue, registration_id, now)
            if claim is None:
                continue
            registration, message = claim
            if message is not None:
                try:
                    message.send()
                except Exception:
                    Registration.objects.filter(pk=registration.pk, reminded_at=now).update(reminded_at=None)
                    raise
            reminded += 1
        Dialogue.objects.filter(pk=dialogue.pk, reminded_at=None).update(reminded_at=now)
    return reminded


@transaction.atomic
def _claim_reminder(dialogue: Dialogue, registration_id: int, now: dt.datetime):
    """Marks one registration reminded (and notifies its registrant in Delbar), unless it is already, and
    writes the reminder: (registration, message or None), or None. Only the hand-over to the mail server
    is left after the commit."""
    registration = Registration.objects.select_for_update().filter(
        pk=registration_id, reminded_at=None, cancelled_at=None).first()
    if registration is None:
        return None
    user = registration.registered_by
    if user is not None:
        notify([user], event=f"dialogue-reminder:{dialogue.pk}",
               title=_("Reminder: %(title)s starts %(start)s") % {
                   "title": dialogue.title, "start": _local(dialogue.starts_at)},
               url=dialogue.get_absolute_url())
    registration.reminded_at = now
    registration.save(update_fields=["reminded_at"])
    return registration, invitations.reminder(dialogue, user) if user is not None else None


# --- Questions and answers --------------------------------------------------------------------------------

@transaction.atomic
def ask(*, dialogue: Dialogue, actor, body: str) -> DialogueQuestion:
    if dialogue.cancelled_at is not None:
        raise DialogueError(_("The dialogue is cancelled."))
    if not body.strip():
        raise DialogueError(_("Write your question."), "body")
    question = DialogueQuestion.objects.create(dialogue=dialogue, asked_by=actor, body=body.strip())
    record(actor=actor, action="dialogue.question", obj=dialogue, question=question.pk)
    notify(organizer_people(dialogue), event=f"dialogue-question:{question.pk}",
           title=_("New question on “%(title)s”") % {"title": dialogue.title},
           url=f"{dialogue.get_absolute_url()}#question-{question.pk}")
    return question


@transaction.atomic
def answer(*, question: DialogueQuestion, actor, body: str) -> DialogueQuestion:
    """Answers in public, for everyone; the asker is told the first time."""
    if not body.strip():
        raise DialogueError(_("Write your answer."), "body")
    first = question.answered_at is None
    question.answer = body.strip()
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    dialogue = question.dialogue
    record(actor=actor, action="dialogue.answer", obj=dialogue, question=question.pk)
    if dialogue.cancelled_at is None:
        search.index(dialogue)  # others find the dialogue by what was asked
    if first and question.asked_by_id:
        notify([question.asked_by], event=f"dialogue-answer:{question.pk}",
               title=_("Your question on “%(title)s” is answered") % {"title": dialogue.title},
               url=f"{dialogue.get_absolute_url()}#question-{question.pk}")
    return question


# --- Written input ----------------------------------------------------------------------------------------

@transaction.atomic
def give_input(*, dialogue: Dialogue, actor, organization: Organization, body: str,
               documents=()) -> WrittenInput:
    """A supplier's written input, new or changed, with documents to add: `documents` holds (upload,
    content type from cases.documents.inspect_upload, title). Open until the dialogue ends. The organizers
    are told that input came, never what it says."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.cancelled_at is not None:
        raise DialogueError(_("The dialogue is cancelled."))
    if dialogue.is_past:
        raise DialogueError(_("The dialogue has ended: written input is closed."))
    if organization.kind != Organization.Kind.SUPPLIER:
        raise DialogueError(_("Written input is given by suppliers."), "organization")
    if not body.strip():
        raise DialogueError(_("Write your input."), "body")
    written, created = WrittenInput.objects.get_or_create(
        dialogue=dialogue, organization=organization, defaults={"body": body.strip(), "submitted_by": actor})
    if not created:
        written.body = body.strip()
        written.save(update_fields=["body", "updated_at"])
    for upload, content_type, title in documents:
        document = InputDocument(written_input=written, title=title or safe_display_name(upload.name),
                                 original_name=safe_display_name(upload.name), content_type=content_type,
                                 size=upload.size)
        document.file.save(document.original_name, upload, save=False)
        document.save()
    record(actor=actor, action="dialogue.input", obj=dialogue, organization=organization.pk,
           documents=len(documents), changed=not created)
    if created:
        notify(organizer_people(dialogue), event=f"dialogue-input:{written.pk}",
               title=_("Written input from %(supplier)s on “%(title)s”") % {
                   "supplier": organization.name, "title": dialogue.title},
               url=f"{dialogue.get_absolute_url()}#inputs")
    return written


@transaction.atomic
def remove_input_document(*, document: InputDocument, actor) -> None:
    dialogue = document.written_input.dialogue
    if dialogue.is_past:
        raise DialogueError(_("The dialogue has ended: written input is closed."))
    record(actor=actor, action="dialogue.input_document_remove", obj=dialogue, title=document.title)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Afterwards -------------------------------------------------------------------------------------------

@transaction.atomic
def publish_summary(*, dialogue: Dialogue, actor, summary: str) -> Dialogue:
    """Publishes (or corrects) the summary and, with it, the list of participating organizations. Only
    after the dialogue has ended; the registered people are told the first time."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.cancelled_at is not None:
        raise DialogueError(_("The dialogue is cancelled."))
    if not dialogue.is_past:
        raise DialogueError(_("The summary is published after the dialogue has ended."), "summary")
    if not summary.strip():
        raise DialogueError(_("Write the summary."), "summary")
    first = dialogue.summary_published_at is None
    dialogue.summary = summary.strip()
    if first:
        dialogue.summary_published_at = timezone.now()
    dialogue.save(update_fields=["summary", "summary_published_at", "updated_at"])
    record(actor=actor, action="dialogue.summary", obj=dialogue, first=first)
    search.index(dialogue)
    if first:
        notify(_registrants(dialogue), event=f"dialogue-summary:{dialogue.pk}",
               title=_("The summary of “%(title)s” is published") % {"title": dialogue.title},
               url=f"{dialogue.get_absolute_url()}#summary")
    return dialogue


# --- Matchmaking (the proposals themselves: matchmaking.py) -----------------------------------------------

@transaction.atomic
def propose_meetings(*, dialogue: Dialogue, actor) -> list[Meeting]:
    meetings = matchmaking.propose(dialogue, user=actor)
    record(actor=actor, action="dialogue.matchmaking", obj=dialogue, meetings=len(meetings))
    return meetings


@transaction.atomic
def change_meeting(*, meeting: Meeting, actor, removed: bool | None = None, slot: str | None = None) -> Meeting:
    """Removes or restores a proposed meeting, or sets its time and table ("10:30, table 4")."""
    changed = []
    if removed is not None and removed != meeting.removed:
        meeting.removed = removed
        changed.append("removed")
    if slot is not None and slot.strip() != meeting.slot:
        meeting.slot = slot.strip()[:Meeting._meta.get_field("slot").max_length]
        changed.append("slot")
    if changed:
        meeting.save(update_fields=changed)
        record(actor=actor, action="dialogue.meeting", obj=meeting.dialogue, meeting=meeting.pk, fields=changed,
               removed=meeting.removed, slot=meeting.slot)
    return meeting


@transaction.atomic
def add_meeting(*, dialogue: Dialogue, actor, first: Organization, second: Organization) -> Meeting:
    """A meeting the organizers add by hand; a removed one for the same pair comes back instead."""
    if first.pk == second.pk:
        raise DialogueError(_("Choose two different organizations."), "second")
    if first.kind == second.kind == Organization.Kind.SUPPLIER:
        raise DialogueError(_("A meeting has a buyer in it."), "first")
    existing = dialogue.meetings.filter(first=first, second=second).first() or dialogue.meetings.filter(
        first=second, second=first).first()
    if existing is not None:
        if not existing.removed:
            raise DialogueError(_("These two are in the table already."), "second")
        return change_meeting(meeting=existing, actor=actor, removed=False)
    kind = Meeting.Kind.SUPPLIER if Organization.Kind.SUPPLIER in (first.kind, second.kind) else Meeting.Kind.BUYERS
    if second.kind != Organization.Kind.SUPPLIER and first.kind == Organization.Kind.SUPPLIER:
        first, second = second, first
    need = dialogue.needs.filter(organization=first).order_by("pk").first()
    meeting = Meeting.objects.create(dialogue=dialogue, kind=kind, first=first, second=second, need=need,
                                     reason=_("Added by the organizers"), by_hand=True)
    record(actor=actor, action="dialogue.meeting_add", obj=dialogue, meeting=meeting.pk)
    return meeting


@transaction.atomic
def send_meetings(*, dialogue: Dialogue, actor) -> int:
    """Tells the people of both organizations of each meeting not sent yet; returns how many meetings."""
    meetings = list(dialogue.meetings.select_for_update().filter(removed=False, sent_at=None)
                    .select_related("first", "second"))
    now = timezone.now()
    for meeting in meetings:
        title = _("Meeting at “%(title)s”: %(first)s and %(second)s") % {
            "title": dialogue.title, "first": meeting.first.name, "second": meeting.second.name}
        if meeting.slot:
            title += f" ({meeting.slot})"
        notify(members_of(meeting.first_id, meeting.second_id), event=f"meeting:{meeting.pk}", title=title,
               url=dialogue.get_absolute_url())
        meeting.sent_at = now
    Meeting.objects.bulk_update(meetings, ["sent_at"])
    record(actor=actor, action="dialogue.meetings_sent", obj=dialogue, meetings=[m.pk for m in meetings])
    return len(meetings)


@transaction.atomic
def form_group(*, dialogue: Dialogue, actor, meetings: list[Meeting], name: str = "") -> BuyerGroup:
    """A buyer group from meetings between buyers about one need on the agenda, in one step: the need's
    buyer leads; the other buyers come with their matching needs (or as having joined the need)."""
    if not meetings or any(m.kind != Meeting.Kind.BUYERS or m.dialogue_id != dialogue.pk for m in meetings):
        raise DialogueError(_("Choose meetings between buyers."), "meetings")
    if len({m.need_id for m in meetings}) != 1 or meetings[0].need is None:
        raise DialogueError(_("Choose meetings about the same need."), "meetings")
    need = meetings[0].need
    partner_needs = [m.other_need for m in meetings if m.other_need is not None
                     and m.other_need.status == NeedStatus.OPEN]
    with_needs = {partner.organization_id for partner in partner_needs}
    members = [m.second for m in meetings if m.second_id not in with_needs]
    try:
        group = group_actions.form_group(need=need, actor=actor, name=name or need.title, members=members,
                                         partner_needs=partner_needs)
    except group_actions.GroupError as error:
        raise DialogueError(str(error), "meetings") from None
    record(actor=actor, action="dialogue.group", obj=dialogue, group=group.pk)
    return group
