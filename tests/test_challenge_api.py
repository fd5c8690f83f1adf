"""/api/challenges: the same rules as the pages, every answer checked against the committed OpenAPI
document. Anyone reads a published challenge with its phases, criteria, answered questions and published
results; a draft is 404 to all but its owners. A buyer group's lead creates a challenge with a token; a
supplier applies to an open phase (once; not after the deadline; not as a non-supplier); applications are
read by the owners and evaluators (all), an applicant (its own) and nobody else."""

import pytest

from delbar.accounts.models import Role
from delbar.challenges import actions
from delbar.challenges.models import Application, Challenge
from delbar.orgs.models import Organization
from tests import test_challenges
from tests.conftest import _person
from tests.test_challenges import CRITERIA, application_fields, challenge_fields, close, later, run_challenge

pytestmark = pytest.mark.django_db
group, suppliers = test_challenges.group, test_challenges.suppliers  # the fixtures
JSON = "application/json"


def application_body(phase: int = 1, **overrides) -> dict:
    return {"phase": phase, **application_fields(), **overrides}


def decided(group, cast, suppliers) -> Challenge:
    """Phase 1 decided: Dave's application went on with 400 000 kr, Erik's (Vannvakt) did not."""
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields())
    actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                  fields=application_fields(title="Fiberoptikk i rørene", amount_nok=500_000))
    close(first)
    actions.award(phase=first, actor=cast["bob"], awards={ours.pk: 400_000}, justification="Best på alle kriterier.")
    return challenge


def test_anyone_reads_a_published_challenge_and_its_results(group, cast, suppliers, api_client):
    challenge = decided(group, cast, suppliers)
    actions.answer(question=actions.ask(challenge=challenge, actor=suppliers["dave"], body="Hvor mange rør?"),
                   actor=cast["bob"], body="Tolv mil.")
    actions.ask(challenge=challenge, actor=suppliers["erik"], body="Ubesvart spørsmål?")
    anonymous = api_client(None)
    listed = anonymous.get("/api/challenges").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == challenge.pk
    data = anonymous.get(f"/api/challenges/{challenge.pk}").json()
    assert data["problem"] == challenge.problem and data["route"] == "pre-commercial"
    assert data["budget_nok"] == 4_000_000
    assert [(c["name"], c["weight"]) for c in data["criteria"]] == [(c["name"], c["weight"]) for c in CRITERIA]
    assert [q["answer"] for q in data["questions"]] == ["Tolv mil."]
    first, second = data["phases"]
    assert (first["state"], first["applicants"], second["state"], second["invited_only"]) == (
        "decided", 2, "upcoming", True)
    assert [(a["lead"]["name"], a["amount_nok"]) for a in first["awards"]] == [("Dave Robotics AS", 400_000)]
    assert first["awarded_total_nok"] == 400_000 and second["awards"] == []
    results = anonymous.get(f"/api/challenges/{challenge.pk}/results").json()
    assert results["phases"] == data["phases"]
    # The losing applicant, its project and every score stay out of what anyone reads.
    for text in (str(data), str(results), str(listed)):
        assert "Vannvakt" not in text and "Fiberoptikk" not in text and "score" not in text
    assert anonymous.get("/api/challenges/999999").status_code == 404
    assert anonymous.get("/api/challenges?page=9").status_code == 422


def test_filters_by_route_state_and_sector(group, cast, api_client):
    challenge = run_challenge(group, cast)
    anonymous = api_client(None)

    def ids(query: str) -> list[int]:
        return [item["id"] for item in anonymous.get(f"/api/challenges?{query}").json()["items"]]

    assert ids("state=open") == [challenge.pk] and ids("state=ended") == []
    assert ids("route=pre-commercial") == [challenge.pk] and ids("route=design-contest") == []
    assert ids(f"sector={challenge.sector_id}") == [challenge.pk]
    assert ids("sector=finnes-ikke") == []
    item = anonymous.get("/api/challenges").json()["items"][0]
    assert (item["open_phase"], item["state"]) == (1, "open")
    close(challenge.phases.get(number=1))
    assert ids("state=evaluation") == [challenge.pk] and ids("state=open") == []


def test_a_draft_is_404_to_all_but_its_owners(group, cast, api_client):
    draft = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())
    for who in (None, "alice", "dave"):
        client = api_client(cast[who] if who else None)
        assert client.get(f"/api/challenges/{draft.pk}").status_code == 404, who
        assert client.get(f"/api/challenges/{draft.pk}/results").status_code == 404, who
        assert client.get("/api/challenges").json()["count"] == 0, who
    assert api_client(cast["dave"]).get(f"/api/challenges/{draft.pk}/applications").status_code == 404
    mine = api_client(cast["bob"]).get(f"/api/challenges/{draft.pk}")
    assert mine.status_code == 200 and mine.json()["published_at"] is None
    assert api_client(cast["bob"]).get("/api/challenges").json()["count"] == 0  # drafts are never listed


def test_a_groups_lead_creates_and_publishes_a_challenge(group, cast, api_client):
    body = {**challenge_fields(), "group": group.pk, "criteria": CRITERIA, "publish": True,
            "phases": [{"kind": "feasibility", "budget_nok": 1_000_000, "opens_at": later(hours=-1).isoformat(),
                        "closes_at": later(days=14).isoformat()},
                       {"kind": "prototype", "budget_nok": 2_000_000, "opens_at": later(days=30).isoformat(),
                        "closes_at": later(days=60).isoformat()}]}
    created = api_client(cast["bob"]).post("/api/challenges", body, content_type=JSON)
    assert created.status_code == 201, created.json()
    data = created.json()
    challenge = Challenge.objects.get(pk=data["id"])
    assert challenge.owner == group.lead and challenge.group == group and challenge.is_published
    assert [phase["invited_only"] for phase in data["phases"]] == [False, True]
    assert data["cpv"] == [cpv.code for cpv in group.need.cpv_codes.all()]  # from the group's need
    # Alice is a member, not the lead; Dave is a supplier; nobody writes without a token.
    assert api_client(cast["alice"]).post("/api/challenges", body, content_type=JSON).status_code == 403
    assert api_client(cast["dave"]).post("/api/challenges", challenge_fields(), content_type=JSON).status_code == 403
    assert api_client(None).post("/api/challenges", body, content_type=JSON).status_code == 401
    assert Challenge.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"criteria": [{"name": "Pris", "weight": 60}, {"name": "Kvalitet", "weight": 30}]}, "criteria"),
    ({"notice_url": "https://example.com/kunngjoring"}, "notice_url"),
    ({"phases": [{"opens_at": "2030-01-10T10:00:00", "closes_at": "2030-01-01T10:00:00"}]}, "closes_at"),
    ({"phases": [], "publish": True}, "phases"),
], ids=["weights", "not-doffin", "closes-before-opening", "publish-without-phases"])
def test_a_refused_part_is_422_naming_the_field_and_keeps_nothing(group, cast, api_client, overrides, field):
    body = {**challenge_fields(), "group": group.pk, "criteria": CRITERIA, **overrides}
    response = api_client(cast["bob"]).post("/api/challenges", body, content_type=JSON)
    assert response.status_code == 422 and response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not Challenge.objects.exists()


def test_a_supplier_applies_once_to_an_open_phase(group, cast, suppliers, api_client):
    challenge = run_challenge(group, cast)
    url = f"/api/challenges/{challenge.pk}/applications"
    dave = api_client(cast["dave"])
    created = dave.post(url, application_body(), content_type=JSON)
    assert created.status_code == 201, created.json()
    assert created.json()["lead"]["name"] == "Dave Robotics AS" and created.json()["status"] == "submitted"
    dave.cookies["django_language"] = "en"  # the refusal is read in English
    twice = dave.post(url, application_body(), content_type=JSON)
    assert twice.status_code == 409 and "already" in twice.json()["detail"]
    # A buyer's editor is no supplier; an upcoming phase is not open; a phase that does not exist is none.
    assert api_client(cast["alice"]).post(url, application_body(), content_type=JSON).status_code == 403
    erik = api_client(suppliers["erik"])
    erik.cookies["django_language"] = "en"
    assert erik.post(url, application_body(phase=2), content_type=JSON).status_code == 422
    missing = erik.post(url, application_body(phase=7), content_type=JSON)
    assert missing.status_code == 422 and missing.json()["detail"].startswith("phase:")
    too_much = erik.post(url, application_body(amount_nok=5_000_000), content_type=JSON)
    assert too_much.status_code == 422 and too_much.json()["detail"].startswith("amount_nok:")
    # After the deadline: refused with the date.
    close(challenge.phases.get(number=1))
    late = erik.post(url, application_body(), content_type=JSON)
    assert late.status_code == 422 and "closed" in late.json()["detail"]
    assert api_client(None).post(url, application_body(), content_type=JSON).status_code == 401
    assert list(Application.objects.values_list("lead__name", flat=True)) == ["Dave Robotics AS"]


def test_applications_are_read_by_owners_evaluators_and_their_own_applicants_only(group, cast, suppliers,
                                                                                  api_client):
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields())
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk i rørene"))
    actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=cast["alice"],
                              organization=cast["alice"].memberships.get().organization)
    url = f"/api/challenges/{challenge.pk}/applications"

    def titles(user) -> set[str]:
        response = api_client(user).get(url)
        assert response.status_code == 200
        return {item["title"] for item in response.json()}

    assert titles(cast["bob"]) == titles(cast["alice"]) == {ours.title, theirs.title}  # owner, evaluator
    assert titles(suppliers["dave"]) == {ours.title}
    assert titles(suppliers["erik"]) == {theirs.title}
    assert titles(cast["carol"]) == {ours.title, theirs.title}  # Delbar's curators own every challenge
    dave_sees = api_client(suppliers["dave"]).get(url).content.decode()
    assert "Fiberoptikk" not in dave_sees and "Vannvakt" not in dave_sees
    assert api_client(None).get(url).status_code == 401
    # A supplier that did not apply, and a buyer with no part in it, see none.
    stranger = _person("sigrid", Organization.objects.create(kind="supplier", name="Sigrid AS"), Role.SUPPLIER)
    assert titles(stranger) == set()
    nina = _person("nina", Organization.objects.get(municipality_number="4640"), Role.EDITOR)
    assert titles(nina) == set()


def test_a_cancelled_challenge_is_gone_from_the_api(group, cast, api_client):
    challenge = run_challenge(group, cast)
    actions.cancel(challenge=challenge, actor=cast["bob"])
    anonymous = api_client(None)
    assert anonymous.get(f"/api/challenges/{challenge.pk}").status_code == 404
    assert anonymous.get("/api/challenges").json()["count"] == 0
    assert api_client(cast["bob"]).get(f"/api/challenges/{challenge.pk}").status_code == 200  # its owners still
