"""The challenge pages, end to end for the owner: Bob creates a challenge from his buyer group's need, adds
two phases, the criteria and an evaluator, publishes it, agrees each phase's result on the results page,
ends it and publishes the case, all through the pages. Bad input shows the reason and changes nothing; the
list puts the open challenges first and shows the owners their drafts.

Applying and scoring go through actions here: their pages are application_views.py's (tested there)."""
# ruff: noqa: F811  (the fixtures `group` and `suppliers` are imported from test_challenges, then requested)

import re

import pytest
from django.utils import timezone

from delbar.alerts.models import Notification
from delbar.challenges import actions
from delbar.challenges.models import Application, Challenge, Phase
from delbar.networks.models import Network
from delbar.orgs.models import Organization, Sector
from tests.conftest import client_for
from tests.test_challenges import (  # noqa: F401 (fixtures)
    CRITERIA,
    application_fields,
    challenge_fields,
    close,
    group,
    later,
    run_challenge,
    suppliers,
)


def local(moment) -> str:
    """As a datetime-local field sends it: Norwegian wall time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def english(user):
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def form_fields(**overrides) -> dict:
    values = challenge_fields(sector="", cpv="", notice_reference="", notice_url="")
    return {**values, **overrides}


def phase_post(**overrides) -> dict:
    return {"kind": "feasibility", "description": "En mulighetsstudie.", "budget_nok": "1000000", "max_awards": "2",
            "opens_at": local(later(hours=-1)), "closes_at": local(later(days=14)), "evaluation_until": "",
            "awards_by": "", **overrides}


def criteria_post(rows) -> dict:
    data = {"criteria-TOTAL_FORMS": str(len(rows)), "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "20"}
    for index, row in enumerate(rows):
        data.update({f"criteria-{index}-name": row["name"], f"criteria-{index}-description": row.get("description", ""),
                     f"criteria-{index}-weight": str(row["weight"])})
    return data


def score_all(evaluator, application, mark):
    evaluation = actions.declare(evaluator=evaluator, application=application, actor=evaluator.user,
                                 has_conflict=False)
    criteria = application.phase.challenge.criteria.all()
    actions.score(evaluation=evaluation, actor=evaluator.user, submit=True,
                  values={criterion.pk: (mark, "") for criterion in criteria})


def test_the_owner_runs_a_challenge_from_a_group_need_to_a_case_through_the_pages(group, cast, suppliers, bergen):
    bob, alice = cast["bob"], cast["alice"]
    client = english(bob)
    need = group.need

    # The need's and the group's pages offer to create a challenge, to the lead's editors only.
    assert f"?need={need.pk}" in client.get(need.get_absolute_url()).content.decode()
    assert f"/challenges/new/?group={group.pk}" in client.get(group.get_absolute_url()).content.decode()
    assert "/challenges/new/?group=" not in english(alice).get(group.get_absolute_url()).content.decode()

    page = client.get(f"/challenges/new/?group={group.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["problem"] == need.description
    assert page.context["form"].initial["title"] == group.name
    water = Sector.objects.first()
    response = client.post(f"/challenges/new/?group={group.pk}", form_fields(
        owner=group.lead.pk, sector=water.pk, cpv="38000000", notice_url="https://doffin.no/notices/2024-113575"))
    challenge = Challenge.objects.get()
    assert response.status_code == 302 and response["Location"] == challenge.get_absolute_url()
    assert (challenge.owner, challenge.group, challenge.need, challenge.sector) == (group.lead, group, need, water)
    assert [cpv.code for cpv in challenge.cpv_codes.all()] == ["38000000"]
    assert challenge.published_at is None
    # A draft: its owners see it and what stops it from being published; nobody else knows it exists.
    draft = client.get(challenge.get_absolute_url())
    assert "Add at least one phase" in draft.content.decode()
    assert client_for(None).get(challenge.get_absolute_url()).status_code == 404
    assert client_for(alice).get(challenge.get_absolute_url()).status_code == 404

    response = client.post(f"/challenges/{challenge.pk}/phases/", phase_post())
    assert response.status_code == 302
    response = client.post(f"/challenges/{challenge.pk}/phases/", phase_post(
        kind="prototype", budget_nok="3000000", max_awards="", opens_at=local(later(days=30)),
        closes_at=local(later(days=60)), invited_only="on"))
    assert response.status_code == 302
    first, second = challenge.phases.all()
    assert (first.number, second.number, first.invited_only, second.invited_only) == (1, 2, False, True)
    assert first.budget_nok == 1_000_000 and second.kind == "prototype"

    response = client.post(f"/challenges/{challenge.pk}/criteria/", criteria_post(CRITERIA))
    assert response.status_code == 302
    assert [(c.name, c.weight) for c in challenge.criteria.all()] == [(row["name"], row["weight"]) for row in CRITERIA]
    page = client.get(f"/challenges/{challenge.pk}/criteria/")
    assert "The weights add up to 100 %." in page.content.decode()

    page = client.get(f"/challenges/{challenge.pk}/evaluators/")
    assert f"{alice.pk}:{bergen.pk}" in page.content.decode()
    assert f"{suppliers['dave'].pk}:" not in page.content.decode()
    response = client.post(f"/challenges/{challenge.pk}/evaluators/", {"person": f"{alice.pk}:{bergen.pk}"})
    assert response.status_code == 302
    evaluator = challenge.evaluators.get()
    assert (evaluator.user, evaluator.organization) == (alice, bergen)
    assert Notification.objects.filter(user=alice, event=f"challenge-evaluator:{evaluator.pk}").exists()

    response = client.post(f"/challenges/{challenge.pk}/publish/")
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.is_published
    public = english(None).get(challenge.get_absolute_url())
    text = public.content.decode()
    assert "Phase 1: Feasibility study" in text and "Innovasjonshøyde" in text and "40 %" in text
    assert "outside the procurement rules" in text  # the route's plain explanation
    assert "https://doffin.no/notices/2024-113575" in text
    assert f"/challenges/{challenge.pk}/phases/{first.pk}/apply/" in english(suppliers["dave"]).get(
        challenge.get_absolute_url()).content.decode()
    assert "/apply/" not in english(cast["carol"]).get(challenge.get_absolute_url()).content.decode()
    # The need's page now shows the challenge that grew from it.
    assert challenge.get_absolute_url() in english(None).get(need.get_absolute_url()).content.decode()

    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields())
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk", amount_nok=500_000))
    first = close(first)
    score_all(evaluator, ours, 8)
    score_all(evaluator, theirs, 5)

    results = client.get(f"/challenges/{challenge.pk}/phases/{first.pk}/results/")
    assert results.status_code == 200
    table = results.context["table"]
    assert [row["application"] for row in table] == [ours, theirs]
    assert table[0]["mean"] == pytest.approx(8) and table[0]["criterion_means"] == [8, 8, 8]
    response = client.post(f"/challenges/{challenge.pk}/phases/{first.pk}/results/", {
        f"award_{ours.pk}": "on", f"amount_{ours.pk}": "400000",
        "justification": "Dave Robotics scoret best på alle kriterier."})
    assert response.status_code == 302
    first.refresh_from_db()
    ours.refresh_from_db()
    assert first.decided_at is not None and (ours.status, ours.awarded_nok) == ("awarded", 400_000)
    decided = client.get(f"/challenges/{challenge.pk}/phases/{first.pk}/results/").content.decode()
    assert "Dave Robotics scoret best" in decided and "Who was told" in decided
    published = english(None).get(challenge.get_absolute_url()).content.decode()
    assert "Dave Robotics AS" in published and "400,000 kr" in published

    Phase.objects.filter(pk=second.pk).update(opens_at=later(hours=-1))
    pilot = actions.apply(phase=second, actor=suppliers["dave"], lead=suppliers["dave_org"],
                          fields=application_fields(amount_nok=2_000_000))
    second = close(second)
    score_all(evaluator, pilot, 9)
    response = client.post(f"/challenges/{challenge.pk}/phases/{second.pk}/results/", {
        f"award_{pilot.pk}": "on", f"amount_{pilot.pk}": "2000000", "justification": "Virket."})
    assert response.status_code == 302

    page = client.get(challenge.get_absolute_url())
    assert page.context["end_form"] is not None
    response = client.post(f"/challenges/{challenge.pk}/end/", {"ended_in_contract": "yes"})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.is_ended and challenge.ended_in_contract is True

    response = client.post(f"/challenges/{challenge.pk}/case/")
    challenge.refresh_from_db()
    assert challenge.case is not None
    assert response.status_code == 302 and response["Location"] == challenge.case.get_absolute_url()
    assert "Dave Robotics" in challenge.case.solution


@pytest.fixture
def draft(group, cast):
    return actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())


def test_bad_challenge_fields_are_shown_beside_them_and_nothing_is_created(group, cast):
    client = english(cast["bob"])
    response = client.post(f"/challenges/new/?group={group.pk}", form_fields(
        owner=group.lead.pk, title="", notice_url="https://example.com/notice", notice_reference="2099-999999",
        cpv="12"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "notice_url", "notice_reference", "cpv"}
    assert "doffin.no" in errors["notice_url"][0]
    assert 'href="#id_title"' in response.content.decode()  # the error summary links to the field
    assert not Challenge.objects.exists()


def test_a_phase_with_bad_dates_is_refused_with_the_reason(draft, cast):
    client = english(cast["bob"])
    response = client.post(f"/challenges/{draft.pk}/phases/", phase_post(
        opens_at=local(later(days=5)), closes_at=local(later(days=2)), budget_nok="0"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "close after the call opens" in errors["closes_at"][0] and "budget_nok" in errors
    response = client.post(f"/challenges/{draft.pk}/phases/", phase_post(opens_at="yesterday"))
    assert response.status_code == 400
    assert not draft.phases.exists()


def test_a_phase_with_applications_keeps_its_deadline_and_cannot_be_removed(group, cast, suppliers):
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields())
    client = english(cast["bob"])
    response = client.post(f"/challenges/{challenge.pk}/phases/{first.pk}/edit/", phase_post(
        opens_at=local(timezone.localtime(first.opens_at)), closes_at=local(later(days=7))))
    assert response.status_code == 400
    assert "may move later, not earlier" in response.context["form"].errors["closes_at"][0]
    response = client.post(f"/challenges/{challenge.pk}/phases/{first.pk}/remove/", follow=True)
    assert "Suppliers have applied to this phase" in response.content.decode()
    second = challenge.phases.get(number=2)
    deadline = second.closes_at
    response = client.post(f"/challenges/{challenge.pk}/phases/{second.pk}/edit/", phase_post(
        kind="pilot", opens_at=local(second.opens_at), closes_at=local(second.closes_at), invited_only="on"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.kind == "pilot" and second.closes_at == deadline
    assert challenge.phases.count() == 2 and Phase.objects.get(pk=first.pk).closes_at == first.closes_at


def test_weights_that_do_not_add_up_are_refused_and_the_old_criteria_stay(group, cast):
    challenge = run_challenge(group, cast)
    client = english(cast["bob"])
    response = client.post(f"/challenges/{challenge.pk}/criteria/", criteria_post(
        [{"name": "A", "weight": 50}, {"name": "B", "weight": 40}]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "add up to 90 %" in text and "The weights add up to 90 %." in text
    assert [c.name for c in challenge.criteria.all()] == [row["name"] for row in CRITERIA]
    response = client.post(f"/challenges/{challenge.pk}/criteria/", criteria_post([{"name": "A", "weight": 0}]))
    assert response.status_code == 400
    assert challenge.criteria.count() == len(CRITERIA)


def test_publishing_an_incomplete_draft_lists_what_is_missing_and_publishes_nothing(draft, cast):
    client = english(cast["bob"])
    response = client.post(f"/challenges/{draft.pk}/publish/")
    assert response.status_code == 400
    assert "Add at least one phase" in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_results_refuse_bad_awards_and_change_nothing(group, cast, suppliers):
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    application = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                                fields=application_fields())
    client = english(cast["bob"])
    url = f"/challenges/{challenge.pk}/phases/{first.pk}/results/"
    # Before the deadline there is nothing to agree.
    assert client.get(url).context["form"] is None
    assert client.post(url, {"justification": "For tidlig."}).status_code == 302
    first = close(first)
    for data, field in (
            ({f"award_{application.pk}": "on", f"amount_{application.pk}": "400000",
              "justification": ""}, "justification"),
            ({f"award_{application.pk}": "on", f"amount_{application.pk}": "",
              "justification": "Best."}, f"amount_{application.pk}"),
            ({f"award_{application.pk}": "on", f"amount_{application.pk}": "1000001",
              "justification": "Best."}, "__all__")):
        response = client.post(url, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
    assert "budget" in response.context["form"].errors["__all__"][0]
    first.refresh_from_db()
    application.refresh_from_db()
    assert first.decided_at is None and application.status == Application.Status.SUBMITTED


def test_ending_and_the_case_wait_for_their_turn(group, cast):
    challenge = run_challenge(group, cast)
    client = english(cast["bob"])
    assert client.get(challenge.get_absolute_url()).context.get("end_form") is None
    response = client.post(f"/challenges/{challenge.pk}/end/", {"ended_in_contract": "no"})
    assert response.status_code == 400 and "Agree the result of every phase" in response.content.decode()
    response = client.post(f"/challenges/{challenge.pk}/end/", {"ended_in_contract": "maybe"})
    assert response.status_code == 400
    response = client.post(f"/challenges/{challenge.pk}/case/")
    assert response.status_code == 400 and "when the challenge has ended" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.ended_at is None and challenge.case is None


def test_cancelling_tells_the_applicants_and_takes_it_off_the_list(group, cast, suppliers):
    challenge = run_challenge(group, cast)
    actions.apply(phase=challenge.phases.get(number=1), actor=suppliers["dave"], lead=suppliers["dave_org"],
                  fields=application_fields())
    client = english(cast["bob"])
    response = client.post(f"/challenges/{challenge.pk}/cancel/", {"note": "Budsjettet falt bort."})
    assert response.status_code == 302
    assert Notification.objects.filter(user=suppliers["dave"], event=f"challenge-cancelled:{challenge.pk}").exists()
    assert client_for(None).get(challenge.get_absolute_url()).status_code == 404
    assert challenge.title not in english(None).get("/challenges/").content.decode()
    assert client.get(f"/challenges/{challenge.pk}/edit/").status_code == 302  # closed to changes
    assert client.post(f"/challenges/{challenge.pk}/cancel/", {}).status_code == 400


def test_a_question_is_answered_once_in_public(group, cast, suppliers):
    challenge = run_challenge(group, cast)
    dave = english(suppliers["dave"])
    assert dave.post(f"/challenges/{challenge.pk}/questions/", {"body": "  "}).status_code == 400
    response = dave.post(f"/challenges/{challenge.pk}/questions/", {"body": "Kan vi søke i konsortium?"})
    question = challenge.questions.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{question.pk}")
    assert "Kan vi søke" not in english(None).get(challenge.get_absolute_url()).content.decode()
    owner = english(cast["bob"])
    assert "Kan vi søke" in owner.get(challenge.get_absolute_url()).content.decode()
    assert owner.post(f"/challenges/{challenge.pk}/questions/{question.pk}/answer/", {"body": ""}).status_code == 400
    response = owner.post(f"/challenges/{challenge.pk}/questions/{question.pk}/answer/", {"body": "Ja, med én leder."})
    assert response.status_code == 302
    public = english(None).get(challenge.get_absolute_url()).content.decode()
    assert "Kan vi søke i konsortium?" in public and "Ja, med én leder." in public
    assert Notification.objects.filter(user=suppliers["dave"], event=f"challenge-answer:{question.pk}").exists()


def test_the_list_puts_open_challenges_first_filters_and_shows_owners_their_drafts(group, cast, draft):
    open_one = run_challenge(group, cast)
    later_one = actions.create(actor=cast["bob"], owner=group.lead, group=group,
                               fields=challenge_fields(title="Snøsmelting med spillvarme", route="design-contest"))
    actions.add_phase(challenge=later_one, actor=cast["bob"], fields={
        "kind": "concept", "opens_at": later(days=10), "closes_at": later(days=20)})
    actions.set_criteria(challenge=later_one, actor=cast["bob"], rows=CRITERIA)
    actions.publish(challenge=later_one, actor=cast["bob"])
    Challenge.objects.filter(pk=draft.pk).update(title="Et utkast ingen andre ser")

    page = english(None).get("/challenges/")
    assert [c.pk for c in page.context["open"]] == [open_one.pk]
    assert [c.pk for c in page.context["running"]] == [later_one.pk]
    text = page.content.decode()
    assert text.index(open_one.title) < text.index("Snøsmelting")
    assert "Et utkast" not in text and "Your drafts" not in text
    owner = english(cast["bob"]).get("/challenges/")
    assert "Your drafts" in owner.content.decode() and [c.pk for c in owner.context["drafts"]] == [draft.pk]
    assert "/challenges/mine/" in owner.content.decode()

    filtered = english(None).get("/challenges/?route=design-contest")
    assert list(filtered.context["open"]) == [] and [c.pk for c in filtered.context["running"]] == [later_one.pk]
    only_open = english(None).get("/challenges/?state=open")
    assert [c.pk for c in only_open.context["open"]] == [open_one.pk] and only_open.context["running"] == []
    assert english(None).get("/challenges/?sector=nowhere").status_code == 400
    assert english(None).get("/challenges/?page=abc").status_code == 200


def test_the_main_menu_and_a_networks_page_lead_to_challenges(cast):
    home = english(None).get("/challenges/")
    assert re.search(r'href="/challenges/"[^>]*>Challenges<', home.content.decode())
    ks = Organization.objects.get(name="KS")
    network = Network.objects.create(organization=ks, slug="ks", description="Kommunesektorens organisasjon.")
    curator = english(cast["carol"]).get(network.get_absolute_url()).content.decode()
    assert "/challenges/new/?network=ks" in curator
    assert "/challenges/new/?network=ks" not in english(cast["bob"]).get(network.get_absolute_url()).content.decode()
    page = english(cast["carol"]).get("/challenges/new/?network=ks")
    assert page.status_code == 200
    response = english(cast["carol"]).post("/challenges/new/?network=ks", form_fields(owner=ks.pk))
    challenge = Challenge.objects.get()
    assert response.status_code == 302 and challenge.network == network and challenge.owner == ks
    assert english(cast["carol"]).get(f"/challenges/new/?network={network.pk}").status_code == 200
    assert english(cast["carol"]).get("/challenges/new/?network=nowhere").status_code == 404
