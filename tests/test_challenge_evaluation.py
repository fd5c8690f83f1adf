"""Evaluating through the page: an appointed evaluator declares her interests first, then scores each
criterion alone (the others' scores appear only once hers are submitted), saves drafts and submits for
good. A conflicted evaluator sees that she does not score the application, and the page refuses her scores.
Non-evaluators, the time before the deadline and the time after the result are refused with the reason."""

import pytest

from delbar.accounts.models import Role
from delbar.audit.models import AuditEvent
from delbar.challenges import actions
from delbar.challenges.models import Evaluation, Score
from tests.conftest import _person, client_for
from tests.test_challenges import application_fields, close, group, run_challenge, suppliers  # noqa: F401

ALICE_NOTE = "Alices vurdering: sensorene er velprøvde"
FRIDA_NOTE = "Fridas vurdering: for dyrt for pilotområdet"


def english(user):
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def evaluate_url(application) -> str:
    return f"/challenges/{application.phase.challenge_id}/applications/{application.pk}/evaluate/"


def detail_url(application) -> str:
    return f"/challenges/{application.phase.challenge_id}/applications/{application.pk}/"


def scores(criteria, value, note="", action="save") -> dict:
    data = {"action": action, "comment": f"Samlet: {value}"}
    for criterion in criteria:
        data[f"score_{criterion.pk}"] = "" if value is None else str(value)
        data[f"note_{criterion.pk}"] = note
    return data


@pytest.fixture
def contest(group, cast, suppliers):  # noqa: F811
    """Bob's group challenge with Dave's and Erik's applications to phase 1, and two evaluators from Bergen
    (a member of the group, not the owner): Alice and Frida."""
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields())
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk", amount_nok=500_000))
    bergen = cast["alice"].memberships.get().organization
    frida = _person("frida", bergen, Role.EDITOR)
    for user in (cast["alice"], frida):
        actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=user, organization=bergen)
    return {"challenge": challenge, "first": first, "ours": ours, "theirs": theirs, "frida": frida,
            "criteria": list(challenge.criteria.all())}


def test_an_evaluator_declares_then_scores_alone_then_submits(contest, cast):
    alice, frida = english(cast["alice"]), english(contest["frida"])
    ours, criteria = contest["ours"], contest["criteria"]
    early = alice.get(evaluate_url(ours))
    assert early.status_code == 403 and "scored after the deadline" in early.content.decode()
    close(contest["first"])

    page = alice.get(evaluate_url(ours)).content.decode()
    assert "declaration of interests" in page and 'name="score_' not in page
    missing_note = alice.post(evaluate_url(ours), {"has_conflict": "yes"})
    assert missing_note.status_code == 400 and "conflict_note" in missing_note.context["declaration_form"].errors
    assert not Evaluation.objects.exists()
    assert alice.post(evaluate_url(ours), {"has_conflict": "no"}).status_code == 302
    assert Evaluation.objects.get().has_conflict is False

    page = alice.get(evaluate_url(ours)).content.decode()
    assert all(f'name="score_{criterion.pk}"' in page for criterion in criteria)
    # A draft with one criterion left: saved, not submitted; submitting it is refused with the reason.
    draft = scores(criteria, 7, ALICE_NOTE) | {f"score_{criteria[-1].pk}": ""}
    assert alice.post(evaluate_url(ours), draft).status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.submitted_at is None and evaluation.scores.count() == len(criteria) - 1
    refused = alice.post(evaluate_url(ours), draft | {"action": "submit"})
    assert refused.status_code == 400 and criteria[-1].name in refused.content.decode()
    out_of_scale = alice.post(evaluate_url(ours), scores(criteria, 11, action="submit"))
    assert out_of_scale.status_code == 400
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is None

    # Frida scores and submits: Alice, still scoring, never sees Frida's scores or notes.
    frida.post(evaluate_url(ours), {"has_conflict": "no"})
    assert frida.post(evaluate_url(ours), scores(criteria, 4, FRIDA_NOTE, "submit")).status_code == 302
    for url in (evaluate_url(ours), detail_url(ours)):
        page = alice.get(url).content.decode()
        assert FRIDA_NOTE not in page and "Weighted score" not in page, url
    # Frida, submitted, sees her own and not Alice's draft.
    page = frida.get(evaluate_url(ours)).content.decode()
    assert FRIDA_NOTE in page and ALICE_NOTE not in page and "is scoring, not submitted yet" in page

    assert alice.post(evaluate_url(ours), scores(criteria, 7, ALICE_NOTE, "submit")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is not None and evaluation.scores.count() == len(criteria)
    page = alice.get(evaluate_url(ours)).content.decode()
    assert FRIDA_NOTE in page and ALICE_NOTE in page and "You submitted your scores" in page
    assert 'name="score_' not in page
    # Submitted is final.
    assert alice.post(evaluate_url(ours), scores(criteria, 2, action="save")).status_code == 403
    assert set(Score.objects.filter(evaluation=evaluation).values_list("value", flat=True)) == {7}
    assert {"challenge.declare", "challenge.score", "challenge.submit_scores"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_a_conflicted_evaluator_does_not_score_that_application(contest, cast):
    close(contest["first"])
    alice = english(cast["alice"])
    ours, theirs, criteria = contest["ours"], contest["theirs"], contest["criteria"]
    assert alice.post(evaluate_url(ours), {"has_conflict": "yes", "conflict_note": "Tidligere arbeidsgiver."}
                      ).status_code == 302
    page = alice.get(evaluate_url(ours)).content.decode()
    assert "do not score it" in page and "Tidligere arbeidsgiver." in page and 'name="score_' not in page
    assert alice.post(evaluate_url(ours), scores(criteria, 9, action="submit")).status_code == 403
    assert alice.post(evaluate_url(ours), {"has_conflict": "no"}).status_code == 403
    assert not Score.objects.exists()
    assert Evaluation.objects.get().has_conflict is True
    # The application's page offers her no scoring; the other application she scores as usual.
    assert evaluate_url(ours) not in alice.get(detail_url(ours)).content.decode()
    assert evaluate_url(theirs) in alice.get(detail_url(theirs)).content.decode()
    assert alice.post(evaluate_url(theirs), {"has_conflict": "no"}).status_code == 302
    assert alice.post(evaluate_url(theirs), scores(criteria, 5, action="submit")).status_code == 302
    # The owner sees the conflict and what it is, beside the scores.
    page = english(cast["bob"]).get(detail_url(ours)).content.decode()
    assert "declared a conflict of interest" in page and "Tidligere arbeidsgiver." in page


def test_the_owner_sees_the_scores_side_by_side_and_the_applicant_never(contest, cast, suppliers):  # noqa: F811
    close(contest["first"])
    ours, criteria = contest["ours"], contest["criteria"]
    for user, value, note in ((cast["alice"], 8, ALICE_NOTE), (contest["frida"], 6, FRIDA_NOTE)):
        client = english(user)
        client.post(evaluate_url(ours), {"has_conflict": "no"})
        assert client.post(evaluate_url(ours), scores(criteria, value, note, "submit")).status_code == 302
    owner_page = english(cast["bob"]).get(detail_url(ours)).content.decode()
    assert ALICE_NOTE in owner_page and FRIDA_NOTE in owner_page
    assert "Weighted score" in owner_page and "8.00" in owner_page and "6.00" in owner_page
    for who in ("dave", "erik"):
        page = english(suppliers[who]).get(detail_url(ours)).content.decode()
        assert ALICE_NOTE not in page and FRIDA_NOTE not in page and "Weighted score" not in page, who


def test_who_may_not_evaluate_is_told_why(contest, cast, suppliers):  # noqa: F811
    close(contest["first"])
    ours = contest["ours"]
    for user in (cast["bob"], cast["carol"], suppliers["dave"]):
        refused = english(user).get(evaluate_url(ours))
        assert refused.status_code == 403 and "Only the evaluators" in refused.content.decode(), user
    # Vannvakt applied too: Dave's application does not exist for it.
    assert english(suppliers["erik"]).get(evaluate_url(ours)).status_code == 404
    assert client_for(None).get(evaluate_url(ours)).status_code == 302
    # A withdrawn application is not scored; after the result nothing is.
    actions.award(phase=contest["first"], actor=cast["bob"], awards={ours.pk: 300_000}, justification="Best.")
    decided = english(cast["alice"]).get(evaluate_url(ours))
    assert decided.status_code == 403 and "scoring is closed" in decided.content.decode()
    assert not Evaluation.objects.exists()


def test_my_challenges_tells_evaluators_and_owners_what_waits(contest, cast):
    ours, theirs = contest["ours"], contest["theirs"]
    alice = english(cast["alice"])
    assert evaluate_url(ours) not in alice.get("/challenges/mine/").content.decode()  # not closed yet
    close(contest["first"])
    page = alice.get("/challenges/mine/").content.decode()
    assert evaluate_url(ours) in page and evaluate_url(theirs) in page and "declare your interests first" in page
    alice.post(evaluate_url(ours), {"has_conflict": "yes", "conflict_note": "Aksjer."})
    alice.post(evaluate_url(theirs), {"has_conflict": "no"})
    page = alice.get("/challenges/mine/").content.decode()
    assert evaluate_url(ours) not in page and evaluate_url(theirs) in page and "not submitted" in page

    challenge = contest["challenge"]
    owner = english(cast["bob"]).get("/challenges/mine/").content.decode()
    assert challenge.title in owner and "Agree the result of phase 1" in owner
    assert "2 applications not fully scored" in owner
    assert f"/challenges/{challenge.pk}/phases/{contest['first'].pk}/results/" in owner
    # A draft of the owner's is listed too, never someone else's.
    draft = actions.create(actor=cast["bob"], owner=challenge.owner, fields={
        "title": "Et utkast", "problem": "Et problem.", "success": "Målt."})
    assert draft.title in english(cast["bob"]).get("/challenges/mine/").content.decode()
    assert draft.title not in alice.get("/challenges/mine/").content.decode()
