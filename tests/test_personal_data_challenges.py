"""A person's data in innovation competitions: "Download my data" holds the challenges they created, the
applications they submitted (their own, never another applicant's), their appointments as evaluator with
the declarations and scores they gave, the results they agreed and their questions and answers; deleting
the account keeps each of these for its organization — an evaluator's scores stay part of the decision —
with the person's link emptied and their name and address taken out of the texts (docs/privacy.md)."""

import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from delbar.challenges import actions
from delbar.challenges.models import Application, Challenge, ChallengeQuestion, Evaluation, Evaluator, Phase, Score
from delbar.search import search
from tests.conftest import client_for
from tests.test_challenges import application_fields, challenge_fields, close, group, run_challenge, suppliers  # noqa: F401

pytestmark = pytest.mark.django_db
NAME, EMAIL = "Alice Ødegård", "alice@example.no"
DAVE = "Dave Dahl"


@pytest.fixture
def footprint(group, cast, suppliers, pdf_bytes):  # noqa: F811
    """Bob's Lyngdal runs a challenge with Alice's Bergen: Dave's and Erik's suppliers apply, Alice and Bob
    evaluate (Alice declares a conflict on Erik's), Bob agrees the result; Dave asks, Alice answers, Erik
    asks too. Alice has a draft challenge of her own for Bergen."""
    alice, bob, dave, erik = cast["alice"], cast["bob"], suppliers["dave"], suppliers["erik"]
    User.objects.filter(pk=alice.pk).update(first_name="Alice", last_name="Ødegård")
    User.objects.filter(pk=dave.pk).update(first_name="Dave", last_name="Dahl")
    alice.refresh_from_db()
    dave.refresh_from_db()
    bergen = alice.memberships.get().organization
    challenge = run_challenge(group, cast)
    draft = actions.create(actor=alice, owner=bergen, fields=challenge_fields(
        title="Fuktsensorer i skolebygg", problem=f"Fukt i skolene. Spør {NAME}, {EMAIL}."))
    first = challenge.phases.get(number=1)
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes, content_type="application/pdf")
    ours = actions.apply(phase=first, actor=dave, lead=suppliers["dave_org"], documents=[
        (upload, "application/pdf", "Prosjektplan")], fields=application_fields(team=f"{DAVE}, daglig leder."))
    theirs = actions.apply(phase=first, actor=erik, lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk i rørene", team="Erik og tre andre."))
    question = actions.ask(challenge=challenge, actor=dave, body="Kan vi være et konsortium?")
    actions.answer(question=question, actor=alice, body=f"Ja. Hilsen {NAME}")
    eriks_question = actions.ask(challenge=challenge, actor=erik, body="Hvor mange kummer har dere?")
    her = actions.appoint_evaluator(challenge=challenge, actor=bob, user=alice, organization=bergen)
    him = actions.appoint_evaluator(challenge=challenge, actor=bob, user=bob, organization=group.lead)
    close(first)
    criteria = list(challenge.criteria.all())
    conflict = actions.declare(evaluator=her, application=theirs, actor=alice, has_conflict=True,
                               note="Min bror eier Vannvakt AS.")
    hers = actions.declare(evaluator=her, application=ours, actor=alice, has_conflict=False)
    actions.score(evaluation=hers, actor=alice, submit=True, comment=f"Vurdert av {NAME}.",
                  values={c.pk: (8, "Alices begrunnelse.") for c in criteria})
    for application, mark in ((ours, 6), (theirs, 5)):
        evaluation = actions.declare(evaluator=him, application=application, actor=bob, has_conflict=False)
        actions.score(evaluation=evaluation, actor=bob, submit=True, comment="Bobs vurdering.",
                      values={c.pk: (mark, "Bobs begrunnelse.") for c in criteria})
    actions.award(phase=first, actor=bob, awards={ours.pk: 400_000},
                  justification=f"Dave Robotics scoret best. {NAME} var inhabil for Vannvakt.")
    return SimpleNamespace(alice=alice, bob=bob, dave=dave, erik=erik, challenge=challenge, draft=draft, first=first,
                           ours=ours, theirs=theirs, question=question, eriks_question=eriks_question, her=her,
                           hers=hers, conflict=conflict)


def _download(user) -> tuple[dict, str]:
    response = client_for(user).get("/accounts/my-data.json")
    assert response.status_code == 200
    return json.loads(response.content), response.content.decode()


def test_her_download_holds_her_evaluations_answers_and_draft(footprint):
    data, text = _download(footprint.alice)
    assert [(c["title"], c["state"], c["owner"]["name"]) for c in data["challenges_created"]] == [
        ("Fuktsensorer i skolebygg", "draft", "Bergen")]
    assert [(a["challenge"]["id"], a["organization"]["name"]) for a in data["challenge_evaluator_appointments"]] == [
        (footprint.challenge.pk, "Bergen")]
    evaluations = {e["application"]["id"]: e for e in data["challenge_evaluations"]}
    assert set(evaluations) == {footprint.ours.pk, footprint.theirs.pk}
    conflict = evaluations[footprint.theirs.pk]
    assert conflict["has_conflict"] and conflict["conflict_note"] == "Min bror eier Vannvakt AS."
    assert conflict["scores"] == []
    scored = evaluations[footprint.ours.pk]
    assert [s["value"] for s in scored["scores"]] == [8, 8, 8] and scored["submitted_at"]
    assert {s["criterion"] for s in scored["scores"]} == {"Innovasjonshøyde", "Gjennomførbarhet", "Pris"}
    assert [a["answer"] for a in data["challenge_answers_written"]] == [f"Ja. Hilsen {NAME}"]
    assert data["challenge_applications_submitted"] == [] and data["challenge_questions_asked"] == []
    assert data["challenge_results_agreed"] == []
    # Nothing of the other evaluator's, and no applicant's text beyond the title of what she scored.
    for other in ("Bobs vurdering", "Bobs begrunnelse", DAVE, "Erik og tre andre", "Kan vi være et konsortium?"):
        assert other not in text, other


def test_his_download_holds_his_application_not_the_other_applicants_nor_any_score(footprint):
    data, text = _download(footprint.dave)
    [application] = data["challenge_applications_submitted"]
    assert application["id"] == footprint.ours.pk and application["phase"] == 1
    assert application["lead"]["name"] == "Dave Robotics AS" and application["status"] == "awarded"
    assert application["awarded_nok"] == 400_000 and application["documents"] == ["Prosjektplan"]
    assert [q["body"] for q in data["challenge_questions_asked"]] == ["Kan vi være et konsortium?"]
    assert data["challenge_evaluations"] == [] and data["challenge_evaluator_appointments"] == []
    for other in ("Fiberoptikk i rørene", "Hvor mange kummer", "Bobs", "Alices begrunnelse", "Min bror", "inhabil"):
        assert other not in text, other


def test_the_owner_who_agreed_the_result_finds_his_justification(footprint):
    data, _text = _download(footprint.bob)
    assert [(r["phase"], r["justification"]) for r in data["challenge_results_agreed"]] == [
        (1, f"Dave Robotics scoret best. {NAME} var inhabil for Vannvakt.")]
    assert [c["title"] for c in data["challenges_created"]] == [footprint.challenge.title]
    assert [e["organization"]["name"] for e in data["challenge_evaluators_appointed"]] == ["Bergen", "Lyngdal"]
    assert "alice" not in json.dumps(data["challenge_evaluators_appointed"]).lower()


def test_deleting_her_account_keeps_her_scores_in_the_decision_without_her(footprint):
    table_before = [(row["application"].pk, row["mean"]) for row in actions.score_table(footprint.first)]
    assert [hit.document.object_id for hit in search("Ødegård", kinds=["challenge"]).shown()] == [
        footprint.challenge.pk]
    response = client_for(footprint.alice).post("/accounts/delete/", {"confirm": "on"})
    assert response.status_code == 200 and not User.objects.filter(username="alice").exists()

    # She was an evaluator: the appointment, the declarations and the scores stay, without her.
    evaluator = Evaluator.objects.get(pk=footprint.her.pk)
    assert evaluator.user is None and evaluator.organization.name == "Bergen"
    assert Evaluation.objects.get(pk=footprint.conflict.pk).has_conflict
    assert Score.objects.filter(evaluation=footprint.hers).count() == 3
    assert [(row["application"].pk, row["mean"]) for row in actions.score_table(footprint.first)] == table_before
    assert Evaluation.objects.get(pk=footprint.hers.pk).comment == "Vurdert av [slettet]."
    # Her draft stays Bergen's, her answer stays public; her name and address are out of both, and of
    # the justification Bob wrote, and out of search.
    draft = Challenge.objects.get(pk=footprint.draft.pk)
    assert draft.created_by is None and draft.owner.name == "Bergen"
    assert draft.problem == "Fukt i skolene. Spør [slettet], [slettet]."
    question = ChallengeQuestion.objects.get(pk=footprint.question.pk)
    assert question.answered_by is None and question.answer == "Ja. Hilsen [slettet]"
    assert Phase.objects.get(pk=footprint.first.pk).justification == \
        "Dave Robotics scoret best. [slettet] var inhabil for Vannvakt."
    assert search("Ødegård", kinds=["challenge"]).shown() == []
    # Others' contributions are untouched.
    assert ChallengeQuestion.objects.get(pk=footprint.eriks_question.pk).asked_by == footprint.erik
    assert Evaluator.objects.filter(challenge=footprint.challenge, user=footprint.bob).exists()


def test_deleting_his_account_keeps_the_suppliers_application(footprint):
    assert client_for(footprint.dave).post("/accounts/delete/", {"confirm": "on"}).status_code == 200
    application = Application.objects.get(pk=footprint.ours.pk)
    assert application.submitted_by is None and application.lead.name == "Dave Robotics AS"
    assert application.status == Application.Status.AWARDED and application.awarded_nok == 400_000
    assert application.team == "[slettet], daglig leder." and application.documents.get().title == "Prosjektplan"
    question = ChallengeQuestion.objects.get(pk=footprint.question.pk)
    assert question.asked_by is None and question.body == "Kan vi være et konsortium?"
    assert Application.objects.get(pk=footprint.theirs.pk).submitted_by == footprint.erik
