"""Who may open which challenge page and send which change, for the whole cast: anonymous, Alice (Bergen's
editor, a member of the buyer group but not running the challenge), Bob (Lyngdal's editor: the owner),
Dave (a supplier who applied), Erik (a second supplier who applied), Carol (Delbar's curator) and the
admin (both owners by rule) and Eva (Bergen's editor, an appointed evaluator). A draft is unknown (404) to
all but its owners. Nothing about an application — its title, the amount applied for, the scores, the
justification before the result — reaches the public page, the list or another applicant."""
# ruff: noqa: F811  (the fixtures `group` and `suppliers` are imported from test_challenges, then requested)

import pytest

from delbar.accounts.models import Role
from delbar.challenges import actions
from delbar.challenges.models import Challenge
from tests.conftest import _person, client_for
from tests.test_challenges import (  # noqa: F401 (fixtures)
    application_fields,
    challenge_fields,
    close,
    group,
    later,
    run_challenge,
    suppliers,
)

ROLES = ["anonymous", "alice", "bob", "dave", "erik", "carol", "admin", "eva"]
OWNERS = {"bob", "carol", "admin"}
DAVE_TITLE = "Daves hemmelige lyttesensorer"
ERIK_TITLE = "Eriks hemmelige fiberoptikk"
DAVE_AMOUNT, ERIK_AMOUNT = 444_444, 333_333
JUSTIFICATION = "Begrunnelse: Dave scoret høyest på innovasjonshøyde"


@pytest.fixture
def everyone(group, cast, suppliers, bergen):
    """A published two-phase challenge of Bob's group with Dave's and Erik's applications to phase 1 and
    Eva appointed; and a draft of Bob's."""
    eva = _person("eva", bergen, Role.EDITOR)
    challenge = run_challenge(group, cast)
    first, second = challenge.phases.all()
    dave_app = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                             fields=application_fields(title=DAVE_TITLE, amount_nok=DAVE_AMOUNT))
    erik_app = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                             fields=application_fields(title=ERIK_TITLE, amount_nok=ERIK_AMOUNT))
    evaluator = actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=eva, organization=bergen)
    question = actions.ask(challenge=challenge, actor=suppliers["dave"], body="Hvor mange sensorer trengs?")
    draft = actions.create(actor=cast["bob"], owner=group.lead, group=group,
                           fields=challenge_fields(title="Et utkast"))
    actions.add_phase(challenge=draft, actor=cast["bob"], fields={
        "kind": "feasibility", "opens_at": later(days=1), "closes_at": later(days=20)})
    return {"people": {**cast, "erik": suppliers["erik"], "eva": eva}, "challenge": challenge, "first": first,
            "second": second, "draft": draft, "dave_app": dave_app, "erik_app": erik_app, "evaluator": evaluator,
            "question": question, "group": group}


def english(everyone, who):
    client = client_for(everyone["people"][who])
    client.cookies["django_language"] = "en"
    return client


def owners_only(who, *, others=403):
    return 302 if who == "anonymous" else 200 if who in OWNERS else others


@pytest.mark.parametrize("who", ROLES)
def test_every_page_answers_each_role_as_the_rules_say(everyone, who):
    client = english(everyone, who)
    c, d = everyone["challenge"].pk, everyone["draft"].pk
    first, second = everyone["first"].pk, everyone["second"].pk
    draft_phase = everyone["draft"].phases.get().pk
    group, need = everyone["group"].pk, everyone["group"].need_id
    pages = {
        "/challenges/": 200,
        f"/challenges/{c}/": 200,
        f"/challenges/{d}/": 200 if who in OWNERS else 404,
        "/challenges/999999/": 404,
        f"/challenges/{c}/edit/": owners_only(who),
        f"/challenges/{c}/phases/": owners_only(who),
        f"/challenges/{c}/phases/{second}/edit/": owners_only(who),
        f"/challenges/{c}/phases/{first}/results/": owners_only(who),
        f"/challenges/{c}/phases/{draft_phase}/results/": owners_only(who, others=403) if who not in OWNERS else 404,
        f"/challenges/{c}/criteria/": owners_only(who),
        f"/challenges/{c}/evaluators/": owners_only(who),
        f"/challenges/{c}/applications/": {"anonymous": 302, "alice": 403}.get(who, 200),
        f"/challenges/{d}/edit/": owners_only(who, others=404),
        f"/challenges/{d}/phases/": owners_only(who, others=404),
        f"/challenges/{d}/phases/{draft_phase}/edit/": owners_only(who, others=404),
        f"/challenges/{d}/criteria/": owners_only(who, others=404),
        f"/challenges/{d}/evaluators/": owners_only(who, others=404),
        f"/challenges/{d}/applications/": owners_only(who, others=404),
        "/challenges/new/": {"anonymous": 302, "alice": 200, "bob": 200, "eva": 200}.get(who, 403),
        f"/challenges/new/?group={group}": {"anonymous": 302, "bob": 200, "admin": 200, "dave": 404,
                                            "erik": 404}.get(who, 403),
        f"/challenges/new/?need={need}": {"anonymous": 302, "bob": 200, "admin": 200}.get(who, 403),
        "/challenges/new/?need=nothing": 302 if who == "anonymous" else 404,
    }
    answered = {url: client.get(url).status_code for url in pages}
    assert answered == pages


@pytest.mark.parametrize("who", sorted(set(ROLES) - OWNERS))
def test_nobody_but_the_owners_changes_anything(everyone, who):
    client = english(everyone, who)
    c, d = everyone["challenge"].pk, everyone["draft"].pk
    first, second, question = everyone["first"].pk, everyone["second"].pk, everyone["question"].pk
    evaluator = everyone["evaluator"].pk
    anonymous = who == "anonymous"
    posts = {
        f"/challenges/{c}/edit/": {"title": "Kapret"},
        f"/challenges/{c}/phases/": {"kind": "pilot"},
        f"/challenges/{c}/phases/{second}/edit/": {"kind": "pilot"},
        f"/challenges/{c}/phases/{second}/remove/": {},
        f"/challenges/{c}/phases/{first}/results/": {"justification": "Kapret"},
        f"/challenges/{c}/criteria/": {},
        f"/challenges/{c}/evaluators/": {"person": "1:1"},
        f"/challenges/{c}/evaluators/{evaluator}/remove/": {},
        f"/challenges/{c}/publish/": {},
        f"/challenges/{c}/cancel/": {},
        f"/challenges/{c}/end/": {"ended_in_contract": "yes"},
        f"/challenges/{c}/case/": {},
        f"/challenges/{c}/questions/{question}/answer/": {"body": "Kapret svar"},
        f"/challenges/{d}/publish/": {},
        f"/challenges/{d}/cancel/": {},
        f"/challenges/{d}/questions/": {"body": "Finnes dette utkastet?"},
    }
    for url, data in posts.items():
        expected = 302 if anonymous else 404 if url.startswith(f"/challenges/{d}/") else 403
        assert client.post(url, data).status_code == expected, url
    challenge = Challenge.objects.get(pk=c)
    assert challenge.title == everyone["challenge"].title and challenge.cancelled_at is None
    assert challenge.phases.count() == 2 and challenge.evaluators.count() == 1
    assert not challenge.questions.get().answer
    assert Challenge.objects.get(pk=d).published_at is None and not everyone["draft"].questions.exists()


def _texts(everyone, who) -> str:
    """What `who` reads on the list, the challenge's page and (where they may) its applications page."""
    client = english(everyone, who)
    c = everyone["challenge"].pk
    pages = [client.get("/challenges/"), client.get(f"/challenges/{c}/")]
    applications = client.get(f"/challenges/{c}/applications/")
    if applications.status_code == 200:
        pages.append(applications)
    return "".join(page.content.decode() for page in pages)


@pytest.mark.parametrize("who", ROLES)
def test_an_application_shows_to_its_applicant_the_owners_and_evaluators_only(everyone, who):
    text = _texts(everyone, who)
    sees_all = who in OWNERS | {"eva"}
    assert (DAVE_TITLE in text) == (sees_all or who == "dave")
    assert (ERIK_TITLE in text) == (sees_all or who == "erik")
    assert ("444,444" in text) == (sees_all or who == "dave")
    assert ("333,333" in text) == (sees_all or who == "erik")


def _decide(everyone):
    first = close(everyone["first"])
    evaluator = everyone["evaluator"]
    criteria = everyone["challenge"].criteria.all()
    for application, mark in ((everyone["dave_app"], 7), (everyone["erik_app"], 3)):
        evaluation = actions.declare(evaluator=evaluator, application=application, actor=evaluator.user,
                                     has_conflict=False)
        actions.score(evaluation=evaluation, actor=evaluator.user, submit=True,
                      values={criterion.pk: (mark, "") for criterion in criteria})
    return first


@pytest.mark.parametrize("who", ROLES)
def test_before_the_result_no_score_or_justification_is_out(everyone, who):
    first = _decide(everyone)
    text = _texts(everyone, who)
    assert "7.00" not in text and "3.00" not in text  # the weighted scores, on the results page only
    owner = english(everyone, "bob").get(f"/challenges/{everyone['challenge'].pk}/phases/{first.pk}/results/")
    assert "7.00" in owner.content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_after_the_result_the_public_sees_who_went_on_and_the_applicants_the_justification(everyone, who):
    first = _decide(everyone)
    actions.award(phase=first, actor=everyone["people"]["bob"], awards={everyone["dave_app"].pk: 400_000},
                  justification=JUSTIFICATION)
    text = _texts(everyone, who)
    assert "Dave Robotics AS" in text and "400,000 kr" in text
    assert (JUSTIFICATION in text) == (who in OWNERS | {"eva", "dave", "erik"})
    assert (ERIK_TITLE in text) == (who in OWNERS | {"eva", "erik"})
    assert ("444,444" in text) == (who in OWNERS | {"eva", "dave"})
    assert "7.00" not in text and "3.00" not in text


def test_a_conflicted_evaluator_is_offered_no_scoring_of_that_application(everyone):
    close(everyone["first"])
    evaluator, dave_app = everyone["evaluator"], everyone["dave_app"]
    actions.declare(evaluator=evaluator, application=dave_app, actor=evaluator.user, has_conflict=True,
                    note="Tidligere arbeidsgiver.")
    page = english(everyone, "eva").get(f"/challenges/{everyone['challenge'].pk}/applications/")
    rows = {row["application"].pk: row for entry in page.context["phases"] for row in entry["rows"]}
    assert rows[dave_app.pk]["evaluation_state"] == "conflict" and not rows[dave_app.pk]["can_score"]
    assert rows[everyone["erik_app"].pk]["can_score"]
    evaluate = f"/challenges/{everyone['challenge'].pk}/applications/{dave_app.pk}/evaluate/"
    assert evaluate not in page.content.decode()
    assert f"/applications/{everyone['erik_app'].pk}/evaluate/" in page.content.decode()
