"""Dialogues in the open data: a dialogue that plans a procurement (it links the procurement's notice,
or one of its public needs became a procurement) is an OCDS planning release of that procurement's
process, valid against the official schema and accepted by lib-cove-ocds (offline, as
tests/test_opendata.py runs them). Attendees, written input, unanswered questions and anything else
the public page does not show never reach the export.

(The dialogues' own actions are written elsewhere; dialogues and what hangs on them are made here with
the models, as the demo makes them.)"""

import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from delbar.dialogues.models import Dialogue, DialogueQuestion, Registration, WrittenInput
from delbar.needs import actions as need_actions
from delbar.networks.models import Network
from delbar.notices import trail
from delbar.notices.models import Notice
from delbar.opendata.ocds import dialogue_ocid, need_ocid, notice_ocid
from delbar.orgs.models import Organization
from tests.test_opendata import SCHEMAS, _errors, _validator

pytestmark = pytest.mark.django_db
ATTENDEES = "Dagny Dahl, daglig leder\nDidrik Dahl, utvikler"
INPUT = "Vår løsning koster 40 000 kroner per bruker i året (fortrolig)."
UNANSWERED = "Kan dere dele anbudsbudsjettet før konkurransen?"


@pytest.fixture(scope="module")
def validator():
    return _validator("release-package-schema.json")


@pytest.fixture(scope="module")
def cove(tmp_path_factory):
    """lib-cove-ocds on a package, offline, from an archive of the standard built from the fixtures (as in
    tests/test_opendata.py). Returns what it found wrong, by kind; {} is a clean package."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    archive = tmp_path_factory.mktemp("standard") / "standard.zip"
    with zipfile.ZipFile(archive, "w") as standard:
        standard.writestr("standard-1__1__5/", "")
        for path in sorted(SCHEMAS.rglob("*.*")):
            standard.write(path, f"standard-1__1__5/schema/{path.relative_to(SCHEMAS)}")
    config = LibCoveOCDSConfig({"standard_zip": archive.as_uri(), "context": "api"})

    def check(package: dict) -> dict:
        result = ocds_json_output(str(tmp_path_factory.mktemp("cove")), json_data=package, schema_version="1.1",
                                  lib_cove_ocds_config=config, record_pkg=False)
        closed = result["additional_closed_codelist_values"]
        found = {"validation errors": [json.loads(error)["message"] for error, _ in result["validation_errors"]],
                 "fields outside OCDS": [f"{f['path']}/{f['field']}" for f in result["additional_fields"]],
                 "codes outside closed codelists": {path: sorted(value["values"]) for path, value in closed.items()},
                 "additional checks": {name: len(found) for name, found in (result["additional_checks"] or {}).items()},
                 "deprecated fields": list(result["deprecated_fields"])}
        return {kind: problems for kind, problems in found.items() if problems}

    return check


def _dialogue(organizer, needs=(), *, days: int, title: str, **fields) -> Dialogue:
    """A dialogue `days` from now (negative: past), two hours long, registration closing a day before."""
    starts = timezone.now() + timedelta(days=days)
    dialogue = Dialogue.objects.create(
        organizer=organizer, title=title, purpose=f"Vi vil lære av markedet: {title}.", starts_at=starts,
        ends_at=starts + timedelta(hours=2), registration_deadline=starts - timedelta(days=1), place="Rådhuset",
        **fields)
    dialogue.needs.set(needs)
    return dialogue


@pytest.fixture
def dialogues(cast, bergen, lyngdal):
    alice, bob, dave = cast["alice"], cast["bob"], cast["dave"]
    supplier = Organization.objects.get(name="Dave Robotics AS")
    night = need_actions.create_need(actor=alice, organization=bergen, fields={
        "title": "Digitalt nattilsyn", "description": "Tilsyn om natten uten å vekke brukerne."})
    need_actions.set_status(need=night, actor=alice, status="in-procurement")
    past = _dialogue(bergen, [night], days=-30, title="Dialogkonferanse om nattilsyn",
                     notice_url="https://doffin.no/notices/2025-100200", summary="Fem leverandører kom.",
                     summary_published_at=timezone.now() - timedelta(days=25))
    Registration.objects.create(dialogue=past, organization=supplier, registered_by=dave, attendees=ATTENDEES)
    Registration.objects.create(dialogue=past, organization=lyngdal, registered_by=bob, attendees="Bob Berg")
    cancelled = Organization.objects.create(kind="supplier", name="Avmeldt AS")
    Registration.objects.create(dialogue=past, organization=cancelled, attendees="Ola", cancelled_at=timezone.now())
    WrittenInput.objects.create(dialogue=past, organization=supplier, submitted_by=dave, body=INPUT)
    DialogueQuestion.objects.create(dialogue=past, body="Hvor mange brukere gjelder det?", asked_by=dave,
                                    answer="Rundt 300.", answered_by=alice, answered_at=timezone.now())
    DialogueQuestion.objects.create(dialogue=past, body=UNANSWERED, asked_by=dave)
    upcoming = _dialogue(bergen, [night], days=20, title="Oppfølgingsmøte om nattilsyn")
    Registration.objects.create(dialogue=upcoming, organization=supplier, registered_by=dave, attendees=ATTENDEES)
    # A network runs one for Lyngdal's need, which is being procured too.
    network_org = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Innkjøpsnettverket i Agder")
    network = Network.objects.create(organization=network_org, slug="agder", description="Agder.")
    leaks = need_actions.create_need(actor=bob, organization=lyngdal, fields={
        "title": "Lekkasjesøk", "description": "Finne lekkasjer før de blir brudd."})
    need_actions.set_status(need=leaks, actor=bob, status="solved")
    networked = _dialogue(network_org, [leaks], days=-10, title="Nettverksmøte om lekkasjer", network=network)
    # Not exported: an open need, a buyers-only need, a cancelled dialogue, no need at all.
    open_need = need_actions.create_need(actor=bob, organization=lyngdal, fields={
        "title": "Matsvinn", "description": "Mindre matsvinn i barnehagene."})
    hidden = need_actions.create_need(actor=alice, organization=bergen, fields={
        "title": "Skjult behov", "description": "Bare for offentlige innkjøpere.", "visibility": "buyers"})
    need_actions.set_status(need=hidden, actor=alice, status="in-procurement")
    left_out = [_dialogue(lyngdal, [open_need], days=5, title="Åpent behov"),
                _dialogue(bergen, [hidden], days=5, title="Skjult behov"),
                _dialogue(bergen, [night], days=8, title="Avlyst", cancelled_at=timezone.now()),
                _dialogue(bergen, days=9, title="Uten behov")]
    return {"night": night, "leaks": leaks, "past": past, "upcoming": upcoming, "networked": networked,
            "left_out": left_out, "supplier": supplier}


def _package(client, url="/open-data/ocds.json?kind=dialogues") -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_dialogues_that_plan_a_procurement_are_valid_planning_releases(dialogues, client, validator, cove):
    package = _package(client)
    assert _errors(validator, package) == []
    assert cove(package) == {}
    releases = {release["planning"]["milestones"][0]["title"]: release for release in package["releases"]}
    assert set(releases) == {"Dialogkonferanse om nattilsyn", "Oppfølgingsmøte om nattilsyn",
                             "Nettverksmøte om lekkasjer"}
    past, upcoming = releases["Dialogkonferanse om nattilsyn"], releases["Oppfølgingsmøte om nattilsyn"]
    assert all(release["tag"] == ["planning"] and "tender" not in release for release in releases.values())
    # One process per need that became a procurement: both dialogues on the night-supervision need.
    assert past["ocid"] == upcoming["ocid"] == need_ocid(dialogues["night"].pk)
    assert past["planning"]["rationale"] == dialogues["past"].purpose
    [milestone] = past["planning"]["milestones"]
    assert milestone["type"] == "engagement" and milestone["status"] == "met"
    assert milestone["dueDate"] == dialogues["past"].starts_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert upcoming["planning"]["milestones"][0]["status"] == "scheduled"
    assert "dateMet" not in upcoming["planning"]["milestones"][0]
    documents = {document["documentType"]: document for document in past["planning"]["documents"]}
    assert documents["marketStudies"]["url"].endswith(f"/dialogues/{dialogues['past'].pk}/")
    assert documents["marketStudies"]["description"] == "Fem leverandører kom."
    assert documents["plannedProcurementNotice"]["url"] == "https://doffin.no/notices/2025-100200"
    assert past["buyer"] == {"id": f"delbar-{dialogues['past'].organizer_id}", "name": "Bergen"}
    # Afterwards, with the summary, the participating organizations (not the cancelled one); before, none.
    roles = {party["name"]: party["roles"] for party in past["parties"]}
    assert roles == {"Bergen": ["buyer"], "Dave Robotics AS": ["interestedParty"], "Lyngdal": ["interestedParty"]}
    assert [party["name"] for party in upcoming["parties"]] == ["Bergen"]
    # A network's dialogue: the need's buyer buys, the network manages the engagement.
    networked = releases["Nettverksmøte om lekkasjer"]
    assert networked["ocid"] == need_ocid(dialogues["leaks"].pk) and networked["buyer"]["name"] == "Lyngdal"
    assert {party["name"]: party["roles"] for party in networked["parties"]} == {
        "Lyngdal": ["buyer"], "Innkjøpsnettverket i Agder": ["procuringEntity"]}
    assert "description" not in networked["planning"]["documents"][0]  # no summary published


def test_nothing_the_public_page_does_not_show_is_exported(dialogues, client):
    text = b"".join(client.get("/open-data/ocds.json").streaming_content).decode()
    records = b"".join(client.get("/open-data/ocds-records.json").streaming_content).decode()
    for secret in ("Dagny Dahl", "Didrik", "Bob Berg", INPUT, UNANSWERED, "Rundt 300", "Avmeldt AS",
                   "Åpent behov", "Skjult behov", "Avlyst", "Uten behov", "Matsvinn"):
        assert secret not in text and secret not in records, secret


def test_the_record_package_joins_a_needs_dialogues_and_a_notices_process(dialogues, client, cast, bergen):
    notice = Notice(key="pin:1", format="eforms", notice_id="pin", version="1", family="planning",
                    title="Forhåndskunngjøring: nattilsyn", procedure_id="3f0c7d9e-1111-4bbb-8ccc-123456789abc",
                    publication_date=date(2025, 3, 1), fetched_at=datetime(2025, 3, 2, tzinfo=UTC),
                    buyers=[{"name": "Bergen kommune", "org_number": "964338531", "country": "NO"}])
    notice.save()
    trail.link(notice)
    linked = _dialogue(bergen, days=-3, title="Dialog etter forhåndskunngjøringen", notice=notice)
    assert dialogue_ocid(linked) == notice_ocid(notice)

    package = _package(client, "/open-data/ocds-records.json")
    assert _errors(_validator("record-package-schema.json"), package) == []
    records = {record["ocid"]: record for record in package["records"]}
    night = records[need_ocid(dialogues["night"].pk)]
    assert len(night["releases"]) == 2
    compiled = night["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert {milestone["id"] for milestone in compiled["planning"]["milestones"]} == {
        f"dialogue-{dialogues['past'].pk}", f"dialogue-{dialogues['upcoming'].pk}"}
    # The notice and the dialogue it announced are one process: a planning release beside the notice's.
    process = records[notice_ocid(notice)]
    assert sorted(release["tag"][0] for release in process["releases"]) == ["planning", "planning"]
    assert any(release["id"] == "pin:1" for release in process["releases"])


def test_a_need_that_becomes_a_procurement_brings_its_dialogues_and_one_withdrawn_takes_them_away(
        dialogues, client, cast):
    [open_dialogue, *_rest] = dialogues["left_out"]
    need = open_dialogue.needs.get()
    titles = lambda: {release["planning"]["milestones"][0]["title"]  # noqa: E731
                      for release in _package(client)["releases"]}
    assert "Åpent behov" not in titles()
    need_actions.set_status(need=need, actor=cast["bob"], status="in-procurement")
    assert "Åpent behov" in titles()
    need_actions.set_status(need=dialogues["leaks"], actor=cast["bob"], status="withdrawn")
    assert "Nettverksmøte om lekkasjer" not in titles()


def test_the_kinds_of_the_downloads(dialogues, client):
    everything = _package(client, "/open-data/ocds.json")
    assert sum(release["tag"] == ["planning"] and "planning" in release for release in everything["releases"]) == 3
    # No published case and no notice here: those kinds hold nothing, the dialogues not among them.
    for kind in ("cases", "notices"):
        assert b"".join(client.get(f"/open-data/ocds.json?kind={kind}").streaming_content) == b""
    assert client.get("/open-data/ocds.json?kind=needs").status_code == 404
    # The CSV's rows are procurements: no dialogue among them, and no such kind.
    assert client.get("/open-data/delbar.csv?kind=dialogues").status_code == 404
    table = b"".join(client.get("/open-data/delbar.csv").streaming_content).decode()
    assert "nattilsyn" not in table.lower()
