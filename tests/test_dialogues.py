"""Dialogue conferences from announcement to summary: a buyer announces a dialogue on her need, suppliers
and other buyers register with attendees and get a calendar invitation, questions are answered once in
public, suppliers give written input with documents, reminders go out once, and afterwards the summary
and the participating organizations (never the attendees) are published. Bad input changes nothing.

The helpers here (the cast's second supplier, a dialogue on Alice's need, time passing) serve the other
test_dialogue_*.py files too."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from delbar.accounts.models import Role
from delbar.alerts.models import Notification, Subscription
from delbar.alerts.news import collect
from delbar.audit.models import AuditEvent
from delbar.dialogues import actions
from delbar.dialogues.models import Dialogue, DialogueQuestion, InputDocument, Registration, WrittenInput
from delbar.needs import actions as need_actions
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.search.engine import search
from tests.conftest import _person, client_for
from tests.notice_files import DOFFIN

ATTENDEES = "Kari Nordmann, daglig leder\nOla Nordmann, utvikler"


def later(**delta) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(**delta)


def local(moment: dt.datetime) -> str:
    """As a datetime-local field sends it: Norwegian wall time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def dialogue_fields(**overrides) -> dict:
    starts = later(days=10)
    return {"kind": "conference", "title": "Dialogkonferanse om utslippsfrie ferjer",
            "purpose": "Vi vil høre hva markedet kan levere av elektriske ferjer og lading.",
            "agenda": "09:00 Velkommen\n09:30 Behovet\n10:30 Innspill fra leverandører",
            "market_questions": "Hva koster lading på kaia?\nHvor lang leveringstid har en ferje?",
            "starts_at": starts, "ends_at": starts + dt.timedelta(hours=3),
            "registration_deadline": starts - dt.timedelta(days=2), "place": "Bergen rådhus, Rådhusgaten 10",
            "online_url": "https://meet.example.no/ferje", "capacity": None, "notice": None, "notice_url": "",
            **overrides}


def post_need(user, organization, title, description, *, cpv=(), **fields):
    return need_actions.create_need(actor=user, organization=organization,
                                    fields={"title": title, "description": description, **fields},
                                    cpv_codes=list(CpvCode.objects.filter(code__in=cpv)))


def announce(cast, organizer, needs=(), **overrides) -> Dialogue:
    return actions.announce(actor=cast["alice"], organizer=organizer, fields=dialogue_fields(**overrides),
                            needs=list(needs))


def time_passes(dialogue: Dialogue, **delta) -> Dialogue:
    """Moves the dialogue's times back, as if `delta` had passed (nothing else changes)."""
    step = dt.timedelta(**delta)
    Dialogue.objects.filter(pk=dialogue.pk).update(starts_at=F("starts_at") - step, ends_at=F("ends_at") - step,
                                                   registration_deadline=F("registration_deadline") - step)
    dialogue.refresh_from_db()
    return dialogue


def make_erik():
    """A second supplier, who must never see Dave's input (a fixture in each test_dialogue_*.py file)."""
    return _person("erik", Organization.objects.create(kind="supplier", name="Erik Sensor AS"), Role.SUPPLIER)


@pytest.fixture
def erik(db):
    return make_erik()


@pytest.fixture
def supplier(cast):
    return Organization.objects.get(name="Dave Robotics AS")


@pytest.fixture
def need(cast, bergen):
    return post_need(cast["alice"], bergen, "Utslippsfri ferje i Bergen",
                     "Ferja vår går på diesel. Vi vil ha en ferje som går på strøm og lades ved kaia.",
                     cpv=["34512000"], sector=Sector.objects.get(pk="samferdsel"))


@pytest.fixture
def dialogue(cast, bergen, need):
    return announce(cast, bergen, [need])


def register(client, dialogue, organization, attendees=ATTENDEES):
    return client.post(f"/dialogues/{dialogue.pk}/register/", {"organization": organization.pk,
                                                                "attendees": attendees})


def calendar_of(message) -> icalendar.Calendar:
    (name, content, mimetype), = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


# --- Announcing -------------------------------------------------------------------------------------------

def test_a_buyer_announces_a_dialogue_on_her_need_through_the_page(cast, need):
    alice = client_for(cast["alice"])
    form = alice.get(f"/dialogues/new/?need={need.pk}")
    assert form.status_code == 200
    starts = later(days=20)
    response = alice.post(f"/dialogues/new/?need={need.pk}", {
        "organizer": need.organization_id, "kind": "market", "title": "Markedsdialog om ferjer",
        "purpose": "Hva finnes?", "market_questions": "Hva koster det?", "needs": [need.pk],
        "starts_at": local(starts), "ends_at": local(starts + dt.timedelta(hours=2)),
        "registration_deadline": local(starts - dt.timedelta(days=1)),
        "place": "", "online_url": "https://meet.example.no/x", "notice_url": "https://doffin.no/notices/2024-1"})
    dialogue = Dialogue.objects.get()
    assert response.status_code == 302 and response.url == dialogue.get_absolute_url()
    assert list(dialogue.needs.all()) == [need] and dialogue.organizer == need.organization
    assert dialogue.starts_at == starts and dialogue.kind == "market"
    assert AuditEvent.objects.filter(action="dialogue.announce", object_id=str(dialogue.pk)).exists()
    # The need's page shows the dialogue, and its editors the way to announce another.
    page = client_for(None).get(need.get_absolute_url()).content.decode()
    assert dialogue.get_absolute_url() in page and f"/dialogues/new/?need={need.pk}" not in page
    assert f"/dialogues/new/?need={need.pk}" in alice.get(need.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"starts_at": later(days=-1), "ends_at": later(hours=1), "registration_deadline": later(hours=-30)},
     "starts_at"),
    ({"ends_at": later(days=9)}, "ends_at"),
    ({"registration_deadline": later(days=11)}, "registration_deadline"),
    ({"place": "", "online_url": ""}, "place"),
    ({"capacity": 0}, "capacity"),
    ({"notice_url": "https://example.com/not-doffin"}, "notice_url"),
    ({"starts_at": later(days=3000), "ends_at": later(days=3001), "registration_deadline": later(days=2999)},
     "starts_at"),
], ids=["start-in-past", "end-before-start", "deadline-after-end", "no-place-no-link", "no-places", "not-doffin",
        "years-ahead"])
def test_bad_dates_and_places_are_refused_by_page_and_action_alike(cast, bergen, need, overrides, field):
    values = dialogue_fields(**overrides)
    with pytest.raises(actions.DialogueError) as refused:
        actions.announce(actor=cast["alice"], organizer=bergen, fields=values, needs=[need])
    assert refused.value.field == field
    data = {name: local(value) if isinstance(value, dt.datetime) else value
            for name, value in values.items() if value is not None and name != "notice"}
    response = client_for(cast["alice"]).post(f"/dialogues/new/?need={need.pk}", {
        **data, "needs": [need.pk], "organizer": need.organization_id})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Dialogue.objects.exists()


def test_a_notice_in_delbar_is_chosen_by_its_doffin_number(cast, need):
    import_path(DOFFIN / "2024-113575.xml")
    notice = Notice.objects.get()
    starts = later(days=5)
    base = {"organizer": need.organization_id, "kind": "conference", "title": "Dialog", "purpose": "Hvorfor",
            "needs": [need.pk], "starts_at": local(starts), "ends_at": local(starts + dt.timedelta(hours=1)),
            "registration_deadline": local(starts - dt.timedelta(hours=1)), "place": "Bergen"}
    alice = client_for(cast["alice"])
    unknown = alice.post(f"/dialogues/new/?need={need.pk}", {**base, "notice_reference": "1999-000001"})
    assert unknown.status_code == 400 and "notice_reference" in unknown.context["form"].errors
    chosen = alice.post(f"/dialogues/new/?need={need.pk}", {**base, "notice_reference": notice.doffin_id})
    assert chosen.status_code == 302
    dialogue = Dialogue.objects.get()
    assert dialogue.notice == notice
    assert notice.get_absolute_url() in client_for(None).get(dialogue.get_absolute_url()).content.decode()


def test_editing_raises_the_calendar_sequence_and_sends_the_change(cast, dialogue, bob_registered,
                                                                   django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = actions.update(dialogue=dialogue, actor=cast["alice"], fields={
            "place": "Grieghallen", "starts_at": dialogue.starts_at + dt.timedelta(hours=1)})
    assert set(changed) == {"place", "starts_at"}
    dialogue.refresh_from_db()
    assert dialogue.sequence == 1
    (message,) = mail.outbox
    event = calendar_of(message).events[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Grieghallen"
    assert event.decoded("DTSTART") == dialogue.starts_at
    # Nothing changed: nothing written, nothing sent.
    assert actions.update(dialogue=dialogue, actor=cast["alice"], fields={"place": "Grieghallen"}) == []


@pytest.fixture
def bob_registered(cast, dialogue, lyngdal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return actions.register(dialogue=dialogue, actor=cast["bob"], organization=lyngdal, attendees=ATTENDEES)


# --- Registering and the calendar -------------------------------------------------------------------------

def test_registering_mails_an_icalendar_invitation_in_oslo_time(cast, dialogue, supplier,
                                                                 django_capture_on_commit_callbacks):
    dave = client_for(cast["dave"])
    with django_capture_on_commit_callbacks(execute=True):
        response = register(dave, dialogue, supplier)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.organization == supplier and registration.registered_by == cast["dave"]
    (message,) = mail.outbox
    assert message.to == ["dave@example.no"]
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.events[0]
    start = event.decoded("DTSTART")
    assert start == dialogue.starts_at and str(start.tzinfo) == "Europe/Oslo"
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("DTEND") == dialogue.ends_at
    assert str(event["UID"]).startswith(f"dialogue-{dialogue.pk}@")
    assert str(event["SUMMARY"]) == dialogue.title and str(event["LOCATION"]) == dialogue.place
    assert str(event["URL"]).endswith(dialogue.get_absolute_url()) and int(event["SEQUENCE"]) == 0
    assert dialogue.online_url in str(event["DESCRIPTION"])  # the invitation carries the link
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"


def test_the_public_calendar_file_has_the_same_event_without_the_link(cast, dialogue):
    response = client_for(None).get(f"/dialogues/{dialogue.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    event = calendar.events[0]
    assert str(calendar["METHOD"]) == "PUBLISH" and event.decoded("DTSTART") == dialogue.starts_at
    assert dialogue.online_url not in response.content.decode()
    assert client_for(None).get("/dialogues/999999/calendar.ics").status_code == 404


def test_duplicate_late_full_and_cancelled_registrations_are_refused(cast, dialogue, lyngdal, supplier, erik):
    bob, dave = client_for(cast["bob"]), client_for(cast["dave"])
    assert register(bob, dialogue, lyngdal).status_code == 302
    again = register(bob, dialogue, lyngdal)
    assert again.status_code in (400, 409)
    with pytest.raises(actions.AlreadyRegistered):
        actions.register(dialogue=dialogue, actor=cast["bob"], organization=lyngdal, attendees="Bob")
    # No attendees named.
    assert register(dave, dialogue, supplier, attendees="  \n ").status_code == 400
    # Full: one place, taken by Lyngdal.
    actions.update(dialogue=dialogue, actor=cast["alice"], fields={"capacity": 1})
    full = register(dave, dialogue, supplier)
    assert full.status_code == 400 and full.context["registration_form"].non_field_errors()
    # Late: the deadline has passed.
    actions.update(dialogue=dialogue, actor=cast["alice"], fields={"capacity": None})
    time_passes(dialogue, days=9)
    with pytest.raises(actions.RegistrationClosed):
        actions.register(dialogue=dialogue, actor=cast["dave"], organization=supplier, attendees="Dave")
    assert register(dave, dialogue, supplier).status_code == 400
    assert Registration.objects.filter(dialogue=dialogue).count() == 1


def test_a_cancelled_registration_frees_its_place_and_the_calendar_entry(cast, dialogue, bob_registered, supplier,
                                                                         django_capture_on_commit_callbacks):
    actions.update(dialogue=dialogue, actor=cast["alice"], fields={"capacity": 1})
    bob = client_for(cast["bob"])
    mail.outbox.clear()
    assert client_for(cast["dave"]).post(
        f"/dialogues/{dialogue.pk}/registrations/{bob_registered.pk}/cancel/").status_code == 404  # not his
    with django_capture_on_commit_callbacks(execute=True):
        assert bob.post(f"/dialogues/{dialogue.pk}/registrations/{bob_registered.pk}/cancel/").status_code == 302
    bob_registered.refresh_from_db()
    assert bob_registered.cancelled_at is not None
    assert str(calendar_of(mail.outbox[0])["METHOD"]) == "CANCEL"
    assert register(client_for(cast["dave"]), dialogue, supplier).status_code == 302  # the place is free


def test_cancelling_tells_the_registered_and_takes_the_dialogue_out_of_search(cast, dialogue, bob_registered,
                                                                              django_capture_on_commit_callbacks):
    assert search("utslippsfrie ferjer", kinds=["dialogue"], mode="lexical").hits
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast["alice"]).post(f"/dialogues/{dialogue.pk}/cancel/", {"note": "Vi utsetter."})
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.cancelled_at is not None and dialogue.sequence == 1
    assert Notification.objects.filter(user=cast["bob"], event=f"dialogue-cancelled:{dialogue.pk}").exists()
    (message,) = mail.outbox
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "CANCEL" and str(calendar.events[0]["STATUS"]) == "CANCELLED"
    assert "Vi utsetter." in message.body
    assert not search("utslippsfrie ferjer", kinds=["dialogue"], mode="lexical").hits
    # Nothing more can happen to it.
    assert register(client_for(cast["dave"]), dialogue, Organization.objects.get(name="Dave Robotics AS")
                    ).status_code == 400
    with pytest.raises(actions.DialogueError):
        actions.cancel(dialogue=dialogue, actor=cast["alice"])


# --- Reminders --------------------------------------------------------------------------------------------

def test_reminders_go_out_once_the_day_before_however_often_the_command_runs(cast, dialogue, bob_registered,
                                                                              supplier):
    actions.register(dialogue=dialogue, actor=cast["dave"], organization=supplier, attendees="Dave")
    mail.outbox.clear()
    assert actions.send_reminders() == 0  # ten days ahead: not yet
    time_passes(dialogue, days=9, hours=12)   # starts in twelve hours
    call_command("dialogue-reminders", "--now")
    call_command("dialogue-reminders", "--now")
    assert actions.send_reminders() == 0
    assert sorted(message.to[0] for message in mail.outbox) == ["bob@example.no", "dave@example.no"]
    assert all(calendar_of(message).events[0].decoded("DTSTART") == dialogue.starts_at for message in mail.outbox)
    assert Notification.objects.filter(event=f"dialogue-reminder:{dialogue.pk}").count() == 2
    dialogue.refresh_from_db()
    assert dialogue.reminded_at is not None
    # Queued as a task, as the scheduler runs it: still nothing more.
    call_command("dialogue-reminders")
    assert len(mail.outbox) == 2


def test_a_cancelled_dialogue_sends_no_reminder(cast, dialogue, bob_registered):
    actions.cancel(dialogue=dialogue, actor=cast["alice"])
    mail.outbox.clear()
    assert actions.send_reminders(now=dialogue.starts_at - dt.timedelta(hours=2)) == 0
    assert mail.outbox == []


# --- Questions --------------------------------------------------------------------------------------------

def test_a_question_is_answered_once_in_public_and_the_asker_told(cast, dialogue):
    dave = client_for(cast["dave"])
    assert dave.post(f"/dialogues/{dialogue.pk}/questions/", {"body": "  "}).status_code == 400
    response = dave.post(f"/dialogues/{dialogue.pk}/questions/", {"body": "Kan vi komme med to personer?"})
    question = DialogueQuestion.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#question-{question.pk}")
    assert Notification.objects.filter(user=cast["alice"], event=f"dialogue-question:{question.pk}").exists()
    # Unanswered, it is the asker's and the organizers' only.
    assert "Kan vi komme med to personer?" not in client_for(None).get(dialogue.get_absolute_url()).content.decode()
    assert "Kan vi komme med to personer?" in dave.get(dialogue.get_absolute_url()).content.decode()
    answer_url = f"/dialogues/{dialogue.pk}/questions/{question.pk}/answer/"
    assert client_for(cast["bob"]).post(answer_url, {"body": "Nei"}).status_code == 403
    assert client_for(cast["alice"]).post(answer_url, {"body": "Ja, to fra hver leverandør."}).status_code == 302
    assert Notification.objects.filter(user=cast["dave"], event=f"dialogue-answer:{question.pk}").exists()
    page = client_for(None).get(dialogue.get_absolute_url()).content.decode()
    assert "Kan vi komme med to personer?" in page and "Ja, to fra hver leverandør." in page


# --- Written input ----------------------------------------------------------------------------------------

def test_a_supplier_gives_input_with_a_document_and_edits_it(cast, dialogue, supplier, pdf_bytes):
    dave = client_for(cast["dave"])
    response = dave.post(f"/dialogues/{dialogue.pk}/input/", {
        "organization": supplier.pk, "body": "Lading på kaia koster rundt 20 millioner.",
        "document": SimpleUploadedFile("innspill.pdf", pdf_bytes, "application/pdf"), "document_title": "Innspill"})
    assert response.status_code == 302
    written = WrittenInput.objects.get()
    document = written.documents.get()
    assert document.content_type == "application/pdf" and document.title == "Innspill"
    assert Notification.objects.filter(user=cast["alice"], event=f"dialogue-input:{written.pk}").exists()
    # The organizers' e-mail title names the supplier, never what it wrote.
    told = Notification.objects.get(user=cast["alice"], event=f"dialogue-input:{written.pk}")
    assert "20 millioner" not in told.title and supplier.name in told.title
    assert dave.post(f"/dialogues/{dialogue.pk}/input/", {"organization": supplier.pk,
                                                         "body": "Rettet: 18 millioner."}).status_code == 302
    written.refresh_from_db()
    assert written.body == "Rettet: 18 millioner." and WrittenInput.objects.count() == 1
    download = dave.get(f"/dialogues/{dialogue.pk}/input/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
    assert dave.post(f"/dialogues/{dialogue.pk}/input/documents/{document.pk}/remove/").status_code == 302
    assert not InputDocument.objects.exists()


def test_hostile_documents_are_refused_and_nothing_is_written(cast, dialogue, supplier):
    program = SimpleUploadedFile("innspill.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf")
    response = client_for(cast["dave"]).post(f"/dialogues/{dialogue.pk}/input/", {
        "organization": supplier.pk, "body": "Se vedlegg.", "document": program})
    assert response.status_code == 400 and "document" in response.context["input_form"].errors
    assert not WrittenInput.objects.exists() and not InputDocument.objects.exists()


def test_input_after_the_dialogue_ended_and_a_summary_before_are_refused(cast, dialogue, supplier):
    alice = client_for(cast["alice"])
    early = alice.post(f"/dialogues/{dialogue.pk}/summary/", {"summary": "Alt gikk bra."})
    assert early.status_code == 400 and "summary" in early.context["summary_form"].errors
    time_passes(dialogue, days=11)
    late = client_for(cast["dave"]).post(f"/dialogues/{dialogue.pk}/input/", {"organization": supplier.pk,
                                                                            "body": "For sent?"})
    assert late.status_code == 400
    assert not WrittenInput.objects.exists()
    dialogue.refresh_from_db()
    assert dialogue.summary_published_at is None and dialogue.summary == ""
    with pytest.raises(actions.DialogueError):
        actions.update(dialogue=dialogue, actor=cast["alice"], fields={"title": "Nytt navn"})


# --- Afterwards -------------------------------------------------------------------------------------------

def test_the_summary_names_participating_organizations_never_attendees(cast, dialogue, bob_registered, need):
    time_passes(dialogue, days=11)
    response = client_for(cast["alice"]).post(f"/dialogues/{dialogue.pk}/summary/",
                                              {"summary": "Markedet kan levere innen to år."})
    assert response.status_code == 302
    assert Notification.objects.filter(user=cast["bob"], event=f"dialogue-summary:{dialogue.pk}").exists()
    page = client_for(None).get(dialogue.get_absolute_url()).content.decode()
    assert "Markedet kan levere innen to år." in page and 'id="participants"' in page
    assert bob_registered.organization.name in page.split('id="participants"')[1]
    assert "Kari Nordmann" not in page and "Ola Nordmann" not in page
    # The need's history links to the summary.
    assert f"{dialogue.get_absolute_url()}#summary" in client_for(None).get(need.get_absolute_url()).content.decode()


# --- List, search and alerts ------------------------------------------------------------------------------

def test_the_list_shows_upcoming_first_and_filters(cast, bergen, lyngdal, need, dialogue):
    old = announce(cast, bergen, [need], title="Tidligere dialog om ferjer")
    time_passes(old, days=30)
    page = client_for(None).get("/dialogues/").content.decode()
    assert page.index(dialogue.title) < page.index("Tidligere dialog om ferjer")
    assert dialogue.title not in client_for(None).get("/dialogues/?kind=market").content.decode()
    assert dialogue.title in client_for(None).get("/dialogues/?county=46&sector=samferdsel").content.decode()
    assert dialogue.title not in client_for(None).get("/dialogues/?county=42").content.decode()
    assert client_for(None).get("/dialogues/?county=99").status_code == 400


def test_a_supplier_following_the_needs_cpv_division_is_told_once(cast, bergen, need):
    Subscription.objects.create(user=cast["dave"], topic="cpv", value="34",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    Subscription.objects.create(user=cast["dave"], topic="county", value="46",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    Subscription.objects.create(user=cast["bob"], topic="cpv", value="45",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    collect()  # the need itself is news too
    dialogue = announce(cast, bergen, [need])
    collect()
    collect()
    assert Notification.objects.filter(user=cast["dave"], event=f"dialogue:{dialogue.pk}").count() == 1
    assert not Notification.objects.filter(user=cast["bob"], event=f"dialogue:{dialogue.pk}").exists()
    assert Notification.objects.get(user=cast["dave"], event=f"dialogue:{dialogue.pk}").url == \
        dialogue.get_absolute_url()


def test_a_buyers_only_need_does_not_show_through_a_dialogue(cast, bergen):
    secret = post_need(cast["alice"], bergen, "Hemmelig behov om sensorer", "Bare for innkjøpere.",
                       cpv=["34512000"], visibility="buyers")
    Subscription.objects.create(user=cast["dave"], topic="cpv", value="34",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    dialogue = announce(cast, bergen, [secret])
    collect()
    assert not Notification.objects.filter(user=cast["dave"], event=f"dialogue:{dialogue.pk}").exists()
    for who in ("anonymous", "dave"):
        assert "Hemmelig behov" not in client_for(cast[who]).get(dialogue.get_absolute_url()).content.decode()
    assert not search("hemmelig sensorer", kinds=["dialogue"], mode="lexical").hits
    assert "Hemmelig behov" in client_for(cast["bob"]).get(dialogue.get_absolute_url()).content.decode()


def test_a_buyer_groups_lead_announces_a_dialogue_from_the_groups_page(cast, bergen, lyngdal, need):
    from delbar.groups.actions import form_group

    group = form_group(need=need, actor=cast["alice"], name="Ferjegruppen", members=[lyngdal])
    link = f"/dialogues/new/?group={group.pk}"
    assert link in client_for(cast["alice"]).get(group.get_absolute_url()).content.decode()
    assert link not in client_for(cast["bob"]).get(group.get_absolute_url()).content.decode()  # a member, not lead
    form = client_for(cast["alice"]).get(link)
    assert form.status_code == 200 and form.context["form"]["needs"].value() == [need.pk]
    assert client_for(cast["bob"]).get(link).status_code == 403
    assert client_for(cast["dave"]).get(link).status_code == 404  # he may not see the group


def test_curators_find_dialogues_in_the_admin_with_registrations_read_only(cast, dialogue, bob_registered):
    for who in ("carol", "admin"):
        client = client_for(cast[who])
        assert client.get("/admin/dialogues/dialogue/?q=ferjer").status_code == 200, who
        page = client.get(f"/admin/dialogues/dialogue/{dialogue.pk}/change/")
        assert page.status_code == 200 and "Kari Nordmann" in page.content.decode(), who
    assert client_for(cast["alice"]).get("/admin/dialogues/dialogue/").status_code == 302


@pytest.mark.parametrize("role", ["anonymous", "alice", "bob", "dave", "carol", "admin"])
def test_search_finds_the_dialogues_the_model_lets_each_role_find(cast, bergen, need, role):
    from django.contrib.auth.models import AnonymousUser

    announce(cast, bergen, [need], title="Kommende dialog")
    actions.cancel(dialogue=announce(cast, bergen, [need], title="Avlyst dialog"), actor=cast["alice"])
    user = cast[role] or AnonymousUser()
    found = {hit.document.object_id for hit in search("", kinds=["dialogue"], user=user).hits[0:1000]}
    allowed = set(Dialogue.objects.visible_to(user).values_list("pk", flat=True))
    assert found == allowed and len(allowed) == 1


def test_saving_the_form_of_a_dialogue_under_way_changes_only_what_changed(cast, bergen, need):
    dialogue = announce(cast, bergen, [need], starts_at=later(days=2, seconds=17), ends_at=later(days=3),
                        registration_deadline=later(days=1))
    time_passes(dialogue, days=2)   # it has started and not ended
    alice = client_for(cast["alice"])
    form = alice.get(f"/dialogues/{dialogue.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"place": "Grieghallen", "needs": [need.pk]})
    for name in ("starts_at", "ends_at", "registration_deadline"):
        data[name] = local(getattr(dialogue, name))
    assert alice.post(f"/dialogues/{dialogue.pk}/edit/", data).status_code == 302
    moved = Dialogue.objects.get(pk=dialogue.pk)
    assert moved.place == "Grieghallen" and moved.starts_at == dialogue.starts_at
