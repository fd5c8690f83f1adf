"""Innovation competitions from need to case: a buyer group turns its shared need into a challenge with two
phases and weighted criteria, suppliers apply (alone or as a consortium), appointed evaluators declare
their interests and score alone, the owner agrees the result with a justification and every applicant is
told at once, the awardees go on to the invited-only second phase, and the ended challenge becomes a case.
Bad input changes nothing.

The helpers here (a group's challenge, suppliers, time passing) serve the other test_challenge*.py files."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from delbar.accounts.models import Role
from delbar.alerts.models import Notification
from delbar.audit.models import AuditEvent
from delbar.cases.models import Status
from delbar.challenges import actions
from delbar.challenges.access import can_see_all_scores
from delbar.challenges.models import Application, Challenge, Phase
from delbar.groups.actions import form_group
from delbar.needs import actions as need_actions
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.search import search
from tests.conftest import _person

CRITERIA = [{"name": "Innovasjonshøyde", "description": "Hva er nytt?", "weight": 40},
            {"name": "Gjennomførbarhet", "description": "", "weight": 35},
            {"name": "Pris", "description": "", "weight": 25}]


@pytest.fixture(autouse=True)
def _english():
    """The refusals' messages are read in English."""
    with translation.override("en"):
        yield


def later(**delta) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(**delta)


def challenge_fields(**overrides) -> dict:
    return {"title": "Lekkasjesøk uten graving", "problem": "Vi mister 30 % av drikkevannet i lekkasjer.",
            "success": "Halvere lekkasjene i pilotområdet på ett år, målt med vannmålere.",
            "eligibility": "Alle leverandører, alene eller i konsortium.", "route": "pre-commercial",
            **overrides}


def application_fields(**overrides) -> dict:
    return {"title": "Akustiske lyttesensorer", "summary": "Sensorer som hører lekkasjer.",
            "approach": "Vi monterer 40 sensorer.", "innovation": "Maskinlæring på lyden.",
            "team": "Fem ingeniører.", "plan": "Tre måneder.", "amount_nok": 400_000, **overrides}


@pytest.fixture
def group(cast, bergen, lyngdal):
    """Bob's Lyngdal leads a buyer group with Alice's Bergen around the same need."""
    water = Sector.objects.filter(pk="water").first() or Sector.objects.first()
    cpv = list(CpvCode.objects.filter(code__startswith="38")[:1])
    lead_need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False, cpv_codes=cpv,
                                         fields={"title": "Lekkasjer i vannett", "sector": water,
                                                 "description": "Vi mister mye vann i gamle rør."})
    partner_need = need_actions.create_need(actor=cast["alice"], organization=bergen, match=False,
                                            fields={"title": "Vannlekkasjer", "description": "Lekkasjer i nettet."})
    return form_group(need=lead_need, actor=cast["bob"], name="Lekkasjesøk", members=[],
                      partner_needs=[partner_need])


@pytest.fixture
def suppliers(cast):
    """Dave's Dave Robotics and Erik's Vannvakt."""
    vannvakt = Organization.objects.create(kind="supplier", name="Vannvakt AS", org_number="912345674")
    return {"dave": cast["dave"], "erik": _person("erik", vannvakt, Role.SUPPLIER),
            "dave_org": cast["dave"].memberships.get().organization, "erik_org": vannvakt}


def run_challenge(group, cast, *, phases=2) -> Challenge:
    """A published two-phase challenge from the group's need, phase 1 open now."""
    challenge = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())
    actions.add_phase(challenge=challenge, actor=cast["bob"], fields={
        "kind": "feasibility", "budget_nok": 1_000_000, "max_awards": 2,
        "opens_at": later(hours=-1), "closes_at": later(days=14)})
    if phases > 1:
        actions.add_phase(challenge=challenge, actor=cast["bob"], fields={
            "kind": "prototype", "budget_nok": 3_000_000, "opens_at": later(days=30), "closes_at": later(days=60)})
    actions.set_criteria(challenge=challenge, actor=cast["bob"], rows=CRITERIA)
    return actions.publish(challenge=challenge, actor=cast["bob"])


def close(phase: Phase) -> Phase:
    """Time passes: the phase's deadline is behind us (its opening too)."""
    Phase.objects.filter(pk=phase.pk).update(opens_at=later(days=-10), closes_at=later(minutes=-1))
    phase.refresh_from_db()
    return phase


def test_a_group_runs_a_two_phase_competition_to_a_case(group, cast, suppliers):
    bob, alice = cast["bob"], cast["alice"]
    challenge = run_challenge(group, cast)
    assert challenge.need == group.need and challenge.sector == group.need.sector
    assert list(challenge.cpv_codes.all()) == list(group.need.cpv_codes.all())
    first, second = challenge.phases.all()
    assert (first.invited_only, second.invited_only) == (False, True)

    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields())
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk", amount_nok=500_000))
    assert Notification.objects.filter(user=bob, event=f"challenge-application:{ours.pk}").exists()

    me = actions.appoint_evaluator(challenge=challenge, actor=bob, user=bob, organization=group.lead)
    her = actions.appoint_evaluator(challenge=challenge, actor=bob, user=alice,
                                    organization=alice.memberships.get().organization)
    close(first)
    criteria = list(challenge.criteria.all())
    for evaluator, marks in ((me, (8, 6)), (her, (7, 5))):
        for application, mark in zip((ours, theirs), marks, strict=True):
            evaluation = actions.declare(evaluator=evaluator, application=application, actor=evaluator.user,
                                         has_conflict=False)
            actions.score(evaluation=evaluation, actor=evaluator.user, submit=True,
                          values={criterion.pk: (mark, "") for criterion in criteria})
    table = actions.score_table(first)
    assert [row["application"] for row in table] == [ours, theirs]
    assert table[0]["mean"] == pytest.approx(7.5) and table[1]["mean"] == pytest.approx(5.5)

    with translation.override("en"):  # the titles are read below
        actions.award(phase=first, actor=bob, awards={ours.pk: 400_000},
                      justification="Dave Robotics scoret best på alle kriterier.")
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, ours.awarded_nok, theirs.status) == ("awarded", 400_000, "not-awarded")
    told = Notification.objects.filter(event__in=[f"challenge-result:{ours.pk}", f"challenge-result:{theirs.pk}"])
    assert {(n.user.username, "not awarded" in n.title) for n in told} == {("dave", False), ("erik", True)}
    assert "Vannvakt" not in told.get(user=suppliers["dave"]).title

    Phase.objects.filter(pk=second.pk).update(opens_at=later(hours=-1))
    second.refresh_from_db()
    with pytest.raises(actions.ChallengeError):
        actions.apply(phase=second, actor=suppliers["erik"], lead=suppliers["erik_org"], fields=application_fields())
    pilot = actions.apply(phase=second, actor=suppliers["dave"], lead=suppliers["dave_org"],
                          fields=application_fields(amount_nok=2_000_000))
    close(second)
    evaluation = actions.declare(evaluator=me, application=pilot, actor=bob, has_conflict=False)
    actions.score(evaluation=evaluation, actor=bob, submit=True, values={c.pk: (9, "") for c in criteria})
    actions.award(phase=second, actor=bob, awards={pilot.pk: 2_000_000}, justification="Prototypen virket.")
    actions.end(challenge=challenge, actor=bob, ended_in_contract=True)

    case = actions.publish_case(challenge=challenge, actor=bob)
    assert case.status == Status.SUBMITTED and case.lead_buyer == group.lead
    assert list(case.suppliers.all()) == [suppliers["dave_org"]]
    assert list(case.partner_buyers.all()) == [alice.memberships.get().organization]
    assert case.procedure == "pre-commercial" and "Dave Robotics" in case.solution
    actions_seen = set(AuditEvent.objects.filter(object_type="challenge").values_list("action", flat=True))
    assert {"challenge.create", "challenge.publish", "challenge.apply", "challenge.declare",
            "challenge.submit_scores", "challenge.award", "challenge.end", "challenge.publish_case"} <= actions_seen


def test_refusals_change_nothing(group, cast, suppliers):
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields())
    with pytest.raises(actions.AlreadyApplied):
        actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"], fields=application_fields())
    with pytest.raises(actions.ChallengeError, match="suppliers"):
        actions.apply(phase=first, actor=cast["alice"], lead=cast["alice"].memberships.get().organization,
                      fields=application_fields())
    with pytest.raises(actions.ChallengeError) as refused:
        actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                      fields=application_fields(amount_nok=5_000_000))
    assert refused.value.field == "amount_nok"
    close(first)
    with pytest.raises(actions.ApplicationClosed):
        actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"], fields=application_fields())
    assert Application.objects.count() == 1

    evaluator = actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=cast["bob"],
                                          organization=group.lead)
    with pytest.raises(actions.ChallengeError):
        actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=suppliers["erik"],
                                  organization=suppliers["erik_org"])
    ks = cast["carol"].memberships.get().organization  # a curator, for an organization not taking part
    with pytest.raises(actions.ChallengeError):
        actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=cast["carol"], organization=ks)
    with pytest.raises(actions.ChallengeError):  # Bob acts for Lyngdal, not for Bergen
        actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=cast["bob"],
                                  organization=cast["alice"].memberships.get().organization)
    assert list(challenge.evaluators.values_list("user__username", flat=True)) == ["bob"]
    application = Application.objects.get()
    evaluation = actions.declare(evaluator=evaluator, application=application, actor=cast["bob"],
                                 has_conflict=True, note="Tidligere arbeidsgiver.")
    with pytest.raises(actions.ChallengeError, match="conflict"):
        actions.score(evaluation=evaluation, actor=cast["bob"], values={})
    with pytest.raises(actions.ChallengeError) as refused:
        actions.award(phase=first, actor=cast["bob"], awards={application.pk: 400_000}, justification=" ")
    assert refused.value.field == "justification"
    with pytest.raises(actions.ChallengeError, match="budget"):
        actions.award(phase=first, actor=cast["bob"], awards={application.pk: 1_000_001}, justification="Best.")
    first.refresh_from_db()
    assert first.decided_at is None


def test_criteria_weights_must_add_up(group, cast):
    challenge = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())
    with pytest.raises(actions.ChallengeError, match="90"):
        actions.set_criteria(challenge=challenge, actor=cast["bob"],
                             rows=[{"name": "A", "weight": 50}, {"name": "B", "weight": 40}])
    with pytest.raises(actions.ChallengeError) as refused:
        actions.publish(challenge=challenge, actor=cast["bob"])
    assert refused.value.field == "phases"
    assert not Challenge.objects.published().exists()


def test_answering_keeps_a_published_challenge_in_search(group, cast):
    """The challenge object a caller holds may be from before it was published: answering a question
    asked through it must not take the published challenge out of search."""
    stale = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())
    actions.add_phase(challenge=stale, actor=cast["bob"], fields={"opens_at": later(hours=-1),
                                                                  "closes_at": later(days=14)})
    actions.set_criteria(challenge=stale, actor=cast["bob"], rows=CRITERIA)
    actions.publish(challenge=stale, actor=cast["bob"])
    question = actions.ask(challenge=stale, actor=cast["dave"], body="Kan vi søke sammen med en kommune?")
    actions.answer(question=question, actor=cast["bob"], body="Nei, bare leverandører kan søke.")
    found = search("graving", kinds=["challenge"], user=AnonymousUser())
    assert [hit.values["kind"] for hit in found.hits] == ["challenge"]  # the one challenge there is


def test_an_owner_who_evaluates_scores_alone_first_and_partners_hear_the_result(group, cast, suppliers):
    bob, alice = cast["bob"], cast["alice"]
    challenge = run_challenge(group, cast, phases=1)
    first = challenge.phases.get()
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields(), partners=[suppliers["erik_org"]])
    me = actions.appoint_evaluator(challenge=challenge, actor=bob, user=bob, organization=group.lead)
    her = actions.appoint_evaluator(challenge=challenge, actor=bob, user=alice,
                                    organization=alice.memberships.get().organization)
    close(first)
    marks = {criterion.pk: (6, "") for criterion in challenge.criteria.all()}
    theirs = actions.declare(evaluator=her, application=ours, actor=alice, has_conflict=False)
    actions.score(evaluation=theirs, actor=alice, values=marks, submit=True)
    assert not can_see_all_scores(bob, ours)  # he owns the challenge, but has not scored it himself
    mine = actions.declare(evaluator=me, application=ours, actor=bob, has_conflict=False)
    actions.score(evaluation=mine, actor=bob, values=marks, submit=True)
    assert can_see_all_scores(bob, ours) and can_see_all_scores(alice, ours)
    assert not can_see_all_scores(suppliers["dave"], ours)
    actions.award(phase=first, actor=bob, awards={ours.pk: 300_000}, justification="Godt forslag.")
    told = set(Notification.objects.filter(event=f"challenge-result:{ours.pk}").values_list(
        "user__username", flat=True))
    assert told == {"dave", "erik"}  # the lead's people and the consortium partner's


def test_the_public_page_names_the_buyers_taking_part(group, cast, client):
    """A joint challenge names its buyers in public, as a joint procurement's notice does (and as its OCDS
    parties do), though the buyer group's own page stays the members'."""
    challenge = run_challenge(group, cast, phases=1)
    client.cookies["django_language"] = "en"
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Buyers taking part" in page and "Bergen" in page and "Lyngdal" in page
    assert client.get(group.get_absolute_url()).status_code == 302  # to the log-in: the group is not public
