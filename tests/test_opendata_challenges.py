"""Challenges in the open data: a published challenge is one OCDS contracting process — a planning release,
a tender release per phase and an award release per phase whose result is published — valid against the
official schema and accepted by lib-cove-ocds (offline, as tests/test_opendata.py runs them). Awards name
only the applications that went on, with their amounts; an application that was not awarded, its project
and every score stay out, and so do drafts and cancelled challenges."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from delbar.challenges import actions
from delbar.challenges.models import Route
from delbar.networks.models import Network
from delbar.opendata.ocds import challenge_ocid
from delbar.orgs.models import Organization
from tests import test_challenges, test_opendata_dialogues
from tests.test_challenges import application_fields, challenge_fields, close, later, run_challenge
from tests.test_opendata import _errors, _validator

pytestmark = pytest.mark.django_db
group, suppliers = test_challenges.group, test_challenges.suppliers  # the fixtures
cove = test_opendata_dialogues.cove
LOSER_TITLE = "Fiberoptikk i rørene"


@pytest.fixture(scope="module")
def validator():
    return _validator("release-package-schema.json")


@pytest.fixture
def competition(group, cast, suppliers):
    """Phase 1 scored and decided: Dave Robotics, with a partner, went on with 400 000 kr; Erik's Vannvakt did
    not. A draft and a cancelled challenge beside it."""
    bob = cast["bob"]
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    partner = Organization.objects.create(kind="supplier", name="Rørlegger Partner AS", org_number="987654325")
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields(),
                         partners=[partner])
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title=LOSER_TITLE, amount_nok=500_000))
    evaluator = actions.appoint_evaluator(challenge=challenge, actor=bob, user=bob, organization=group.lead)
    close(first)
    criteria = list(challenge.criteria.all())
    for application, mark in ((ours, 9), (theirs, 3)):
        evaluation = actions.declare(evaluator=evaluator, application=application, actor=bob, has_conflict=False)
        actions.score(evaluation=evaluation, actor=bob, submit=True, comment=f"Vurdering {mark}",
                      values={criterion.pk: (mark, f"Begrunnelse {mark}") for criterion in criteria})
    actions.award(phase=first, actor=bob, awards={ours.pk: 400_000}, justification="Best på alle kriterier.")
    draft = actions.create(actor=bob, owner=group.lead, group=group, fields=challenge_fields(title="Utkast om rør"))
    cancelled = run_challenge(group, cast, phases=1)
    actions.update(challenge=cancelled, actor=bob, fields={"title": "Avlyst konkurranse"})
    actions.cancel(challenge=cancelled, actor=bob)
    return {"challenge": challenge, "ours": ours, "theirs": theirs, "partner": partner, "draft": draft,
            "cancelled": cancelled}


def _package(client, url="/open-data/ocds.json?kind=challenges") -> dict:
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_a_challenge_is_a_valid_process_of_planning_tenders_and_awards(competition, client, validator, cove):
    package = _package(client)
    assert _errors(validator, package) == []
    assert cove(package) == {}
    challenge = competition["challenge"]
    assert {release["ocid"] for release in package["releases"]} == {challenge_ocid(challenge.pk)}
    by_tag = {}
    for release in package["releases"]:
        by_tag.setdefault(release["tag"][0], []).append(release)
    assert sorted(by_tag) == ["award", "planning", "tender"]

    [planning] = by_tag["planning"]
    assert planning["tender"]["title"] == challenge.title and planning["tender"]["description"] == challenge.problem
    assert planning["planning"]["rationale"] == challenge.success
    assert planning["planning"]["budget"]["amount"] == {"amount": 4_000_000.0, "currency": "NOK"}
    assert [(m["id"], m["status"]) for m in planning["planning"]["milestones"]] == [
        ("phase-1", "met"), ("phase-2", "scheduled")]
    assert planning["buyer"]["name"] == "Lyngdal"
    assert {party["name"] for party in planning["parties"]} == {"Lyngdal", "Bergen"}  # the group's buyers

    # One tender per phase: its call, budget, weighted criteria, eligibility and the route.
    tenders = sorted(by_tag["tender"], key=lambda release: release["tender"]["id"])
    assert [t["tender"]["id"] for t in tenders] == [f"challenge-{challenge.pk}-phase-1",
                                                     f"challenge-{challenge.pk}-phase-2"]
    first, second = (t["tender"] for t in tenders)
    assert first["value"] == {"amount": 1_000_000.0, "currency": "NOK"}
    assert second["value"] == {"amount": 3_000_000.0, "currency": "NOK"}
    assert first["awardCriteriaDetails"] == "Innovasjonshøyde (40 %); Gjennomførbarhet (35 %); Pris (25 %)"
    assert first["procurementMethodDetails"] == "Pre-commercial procurement"
    assert first["submissionMethod"] == ["electronicSubmission"]
    assert first["eligibilityCriteria"] == challenge.eligibility
    assert "awarded in the phase before" in second["eligibilityCriteria"]
    assert (first["status"], first["numberOfTenderers"]) == ("complete", 2)
    assert (second["status"], second["numberOfTenderers"]) == ("planned", 0)
    phase = challenge.phases.get(number=1)
    assert first["tenderPeriod"]["endDate"] == phase.closes_at.isoformat().replace("+00:00", "Z")

    # The awards: only the application that went on, with its amount, lead and partner as suppliers.
    [award_release] = by_tag["award"]
    [award] = award_release["awards"]
    assert award["value"] == {"amount": 400_000.0, "currency": "NOK"} and award["status"] == "active"
    assert [supplier["name"] for supplier in award["suppliers"]] == ["Dave Robotics AS", "Rørlegger Partner AS"]
    assert award["title"].endswith("1: Feasibility study")
    roles = {party["name"]: party["roles"] for party in award_release["parties"]}
    assert roles["Dave Robotics AS"] == ["supplier"] and roles["Rørlegger Partner AS"] == ["supplier"]


def test_no_losing_applicant_score_draft_or_cancelled_challenge_is_exported(competition, client):
    everything = b"".join(client.get("/open-data/ocds.json").streaming_content).decode()
    records = b"".join(client.get("/open-data/ocds-records.json").streaming_content).decode()
    assert "Dave Robotics AS" in everything  # the awardee is, so the search below means something
    for secret in ("Vannvakt", "912345674", LOSER_TITLE, "Vurdering", "Begrunnelse", "Best på alle kriterier",
                   "Akustiske lyttesensorer", "Utkast om rør", "Avlyst konkurranse"):
        assert secret not in everything and secret not in records, secret
    ocids = {release["ocid"] for release in json.loads(everything)["releases"]}
    assert challenge_ocid(competition["draft"].pk) not in ocids
    assert challenge_ocid(competition["cancelled"].pk) not in ocids


def test_the_record_joins_the_releases_in_order(competition, client):
    package = _package(client, "/open-data/ocds-records.json?kind=challenges")
    assert _errors(_validator("record-package-schema.json"), package) == []
    [record] = package["records"]
    tags = [release["tag"][0] for release in record["releases"]]
    assert tags[0] == "planning" and tags.count("tender") == 2 and tags.count("award") == 1
    compiled = record["compiledRelease"]
    assert [award["value"]["amount"] for award in compiled["awards"]] == [400_000.0]
    assert compiled["planning"]["rationale"] == competition["challenge"].success
    # The compiled tender is the latest phase's, whole: nothing of phase 1's is left in it.
    assert compiled["tender"]["id"].endswith("-phase-2") and compiled["tender"]["numberOfTenderers"] == 0


def test_a_design_contest_is_an_open_procedure(group, cast, client, validator):
    challenge = run_challenge(group, cast, phases=1)
    actions.update(challenge=challenge, actor=cast["bob"], fields={"route": Route.DESIGN_CONTEST})
    [_planning, tender] = _package(client)["releases"]
    assert tender["tender"]["procurementMethod"] == "open"
    assert tender["tender"]["procurementMethodDetails"] == "Design contest"
    assert (tender["tender"]["status"], tender["tender"]["numberOfTenderers"]) == ("active", 0)


def test_the_export_command_and_the_kinds(competition, client):
    out = io.StringIO()
    with translation.override("en"):
        call_command("export", "--format", "ocds", "--kind", "challenges", stdout=out, stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert len(package["releases"]) == 4  # planning, two tenders, one award
    with pytest.raises(CommandError, match="CSV"):
        call_command("export", "--format", "csv", "--kind", "challenges", stdout=io.StringIO())
    with pytest.raises(CommandError, match="ocds"):
        call_command("export", "--kind", "challenges", stdout=io.StringIO())
    # "All" holds them; the cases' and notices' kinds do not.
    everything = _package(client, "/open-data/ocds.json")
    assert sum(release["ocid"].endswith(f"-challenge-{competition['challenge'].pk}")
               for release in everything["releases"]) == 4
    for kind in ("cases", "notices", "dialogues"):
        text = b"".join(client.get(f"/open-data/ocds.json?kind={kind}").streaming_content).decode()
        assert "challenge" not in text, kind
    assert client.get("/open-data/delbar.csv?kind=challenges").status_code == 404


def test_a_networks_challenge_is_managed_by_the_network(cast, client, validator, cove):
    network_org = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Innkjøpsnettverket i Agder")
    network = Network.objects.create(organization=network_org, slug="agder", description="Agder.")
    challenge = actions.create(actor=cast["carol"], owner=network_org, network=network, fields=challenge_fields())
    actions.add_phase(challenge=challenge, actor=cast["carol"], fields={"opens_at": later(hours=-1),
                                                                        "closes_at": later(days=9)})
    actions.set_criteria(challenge=challenge, actor=cast["carol"], rows=[{"name": "Kvalitet", "weight": 100}])
    actions.publish(challenge=challenge, actor=cast["carol"])
    package = _package(client)
    assert _errors(validator, package) == [] and cove(package) == {}
    for release in package["releases"]:
        assert [(party["name"], party["roles"]) for party in release["parties"]] == [
            ("Innkjøpsnettverket i Agder", ["procuringEntity"])]
        assert "buyer" not in release
