"""Who may open and change an application, URL by URL, for every role: anonymous, Alice (Bergen's editor: her
buyer shares the need, she neither runs nor evaluates), Bob (Lyngdal's editor: the owner), Dave (the
applicant), Erik (Vannvakt, who applied too), Carol (Delbar's curator), the admin, Eva (an evaluator) and
Conny (an evaluator who declared a conflict for Dave's application). Another applicant gets 404 on every URL
of Dave's application and never sees its title, amount, documents or scores on any of these pages; nobody
gets a server error."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delbar.accounts.models import Role
from delbar.alerts.models import Notification
from delbar.challenges import actions
from delbar.challenges.models import Application
from tests.conftest import _person, client_for
from tests.test_challenges import application_fields, close, group, run_challenge, suppliers  # noqa: F401

ROLES = ["anonymous", "alice", "bob", "dave", "erik", "carol", "admin", "eva", "conny"]
OWNERS = {"bob", "carol", "admin"}
EVALUATORS = {"eva", "conny"}
TITLE = "Hemmelige lyttesensorer fra Dave"
DOCUMENT = "Daves kalkyle for sensorene"
NOTE = "Evas merknad om Daves kalkyle"
AMOUNT = 432_123
AMOUNT_SHOWN = re.compile(r"432\D?123")


@pytest.fixture
def everyone(group, cast, suppliers, pdf_bytes):  # noqa: F811
    """The challenge with Dave's application (with a document) and Erik's, and two evaluators from Bergen."""
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields(title=TITLE, amount_nok=AMOUNT),
                         documents=[(SimpleUploadedFile("kalkyle.pdf", pdf_bytes), "application/pdf", DOCUMENT)])
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk"))
    bergen = cast["alice"].memberships.get().organization
    people = {**cast, "erik": suppliers["erik"], "eva": _person("eva", bergen, Role.EDITOR),
              "conny": _person("conny", bergen, Role.EDITOR)}
    evaluators = {who: actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=people[who],
                                                 organization=bergen) for who in EVALUATORS}
    return {"people": people, "challenge": challenge, "first": first, "ours": ours, "theirs": theirs,
            "document": ours.documents.get(), "evaluators": evaluators}


def evaluation_begins(everyone):
    """The deadline passes; Eva declares no conflict and scores Dave's application, Conny declares one."""
    close(everyone["first"])
    ours, evaluators = everyone["ours"], everyone["evaluators"]
    evaluation = actions.declare(evaluator=evaluators["eva"], application=ours, actor=evaluators["eva"].user,
                                 has_conflict=False)
    actions.score(evaluation=evaluation, actor=evaluators["eva"].user, submit=True, comment=NOTE,
                  values={criterion.pk: (6, NOTE) for criterion in everyone["challenge"].criteria.all()})
    actions.declare(evaluator=evaluators["conny"], application=ours, actor=evaluators["conny"].user,
                    has_conflict=True, note="Søster i Dave Robotics.")


def urls(everyone) -> dict:
    base = f"/challenges/{everyone['challenge'].pk}/applications/{everyone['ours'].pk}"
    document = everyone["document"].pk
    return {"detail": f"{base}/", "edit": f"{base}/edit/", "evaluate": f"{base}/evaluate/",
            "download": f"{base}/documents/{document}/", "remove": f"{base}/documents/{document}/remove/",
            "withdraw": f"{base}/withdraw/"}


def readers_get(who, **codes) -> int:
    """The expected answer: 302 (to the login) for anonymous, 404 for those who may not read the application,
    else `codes[role group]`."""
    if who == "anonymous":
        return 302
    if who in ("alice", "erik"):
        return 404
    kind = "owner" if who in OWNERS else "evaluator" if who in EVALUATORS else who
    return codes[kind]


@pytest.mark.parametrize("who", ROLES)
def test_while_the_phase_is_open(everyone, who):
    client = client_for(everyone["people"][who])
    pages = urls(everyone)
    answers = {name: client.get(pages[name]).status_code for name in ("detail", "edit", "evaluate", "download")}
    # The changes last: removing the document, then withdrawing.
    answers["remove"] = client.post(pages["remove"]).status_code
    answers["withdraw"] = client.post(pages["withdraw"]).status_code
    assert answers == {
        "detail": readers_get(who, owner=200, evaluator=200, dave=200),
        "edit": readers_get(who, owner=403, evaluator=403, dave=200),
        "evaluate": readers_get(who, owner=403, evaluator=403, dave=403),  # before the deadline: nobody
        "download": readers_get(who, owner=200, evaluator=200, dave=200),
        "remove": readers_get(who, owner=403, evaluator=403, dave=302),
        "withdraw": readers_get(who, owner=403, evaluator=403, dave=302),
    }
    ours = Application.objects.get(pk=everyone["ours"].pk)
    assert (ours.status == "withdrawn") is (who == "dave")
    assert (not ours.documents.exists()) is (who == "dave")


@pytest.mark.parametrize("who", ROLES)
def test_while_the_phase_is_evaluated(everyone, who):
    evaluation_begins(everyone)
    client = client_for(everyone["people"][who])
    pages = urls(everyone)
    answers = {name: client.get(pages[name]).status_code for name in ("detail", "edit", "evaluate", "download")}
    answers["score"] = client.post(pages["evaluate"], {"action": "save", "comment": "Ny kommentar"}).status_code
    answers["remove"] = client.post(pages["remove"]).status_code
    answers["withdraw"] = client.post(pages["withdraw"]).status_code
    assert answers == {
        "detail": readers_get(who, owner=200, evaluator=200, dave=200),
        "edit": readers_get(who, owner=403, evaluator=403, dave=403),
        # Eva has submitted (her page shows her scores; they no longer change); Conny's page says she does
        # not score it.
        "evaluate": readers_get(who, owner=403, evaluator=200, dave=403),
        "download": readers_get(who, owner=200, evaluator=200, dave=200),
        "score": readers_get(who, owner=403, evaluator=403, dave=403),
        "remove": readers_get(who, owner=403, evaluator=403, dave=403),
        "withdraw": readers_get(who, owner=403, evaluator=403, dave=403),
    }
    ours = Application.objects.get(pk=everyone["ours"].pk)
    assert ours.status == "submitted" and ours.documents.count() == 1
    assert not ours.evaluations.filter(comment="Ny kommentar").exists()


@pytest.mark.parametrize("who", ROLES)
def test_what_each_role_sees_of_the_application(everyone, who, cast):
    evaluation_begins(everyone)
    actions.award(phase=everyone["first"], actor=cast["bob"], awards={everyone["theirs"].pk: 200_000},
                  justification="Fiberoptikken var best.")
    client = client_for(everyone["people"][who])
    client.cookies["django_language"] = "en"
    pages = urls(everyone)
    challenge, theirs = everyone["challenge"], everyone["theirs"]
    seen = ""
    for url in (pages["detail"], pages["evaluate"], pages["edit"], "/challenges/mine/",
                f"/challenges/{challenge.pk}/applications/{theirs.pk}/",
                f"/challenges/{challenge.pk}/phases/{everyone['first'].pk}/apply/"):
        response = client.get(url)
        assert response.status_code < 500, url
        seen += response.content.decode()
    reader = who in OWNERS | EVALUATORS | {"dave"}
    assert (TITLE in seen) is reader
    assert (DOCUMENT in seen) is reader
    assert bool(AMOUNT_SHOWN.search(seen)) is reader
    # Scores: the owners and Eva, who submitted; never Conny, walled off by her conflict
    # (access.can_see_all_scores), never an applicant.
    assert (NOTE in seen) is (who in OWNERS | {"eva"})


def test_no_notification_tells_another_applicant_about_an_application(everyone, cast):
    evaluation_begins(everyone)
    actions.award(phase=everyone["first"], actor=cast["bob"], awards={everyone["ours"].pk: 300_000},
                  justification="Best.")
    told = " ".join(Notification.objects.filter(user=everyone["people"]["erik"]).values_list("title", flat=True))
    assert told and TITLE not in told and not AMOUNT_SHOWN.search(told) and "300" not in told
