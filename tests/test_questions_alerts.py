"""Questions asked once, in public, on a case; notifications; the e-mail digest, sent once, with a
one-click unsubscribe; saved searches and followed topics."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from delbar.alerts.digest import send_digests
from delbar.alerts.models import AlertSettings, Notification, Subscription
from delbar.alerts.news import collect
from delbar.cases.models import Status
from delbar.needs import actions as need_actions
from delbar.questions.models import Question
from delbar.search.engine import search
from tests.conftest import client_for


@pytest.fixture
def published(make_case):
    return make_case(Status.PUBLISHED, title="Robot som inspiserer drikkevannstunneler",
                     summary="Bergen leide en undervannsrobot.")


def test_a_question_is_answered_once_for_everyone_and_found_in_search(cast, published):
    bob = client_for(cast["bob"])
    response = bob.post(f"/cases/{published.pk}/questions/", {"body": "Hvor lenge måtte vannet stenges?"})
    question = Question.objects.get()
    assert response.url.endswith(f"#question-{question.pk}")
    assert Notification.objects.filter(user=cast["alice"], event=f"question:{question.pk}").exists()
    # Only the owning organization (or a curator) answers.
    assert bob.post(f"/cases/{published.pk}/questions/{question.pk}/answer/",
                    {"body": "Ikke lenge."}).status_code == 403
    client_for(cast["alice"]).post(f"/cases/{published.pk}/questions/{question.pk}/answer/",
                                   {"body": "Vi stengte ikke vannet i det hele tatt: roboten går i drift."})
    question.refresh_from_db()
    assert question.answered_by == cast["alice"]
    assert Notification.objects.filter(user=cast["bob"], event=f"answer:{question.pk}").exists()
    page = client_for(None).get(published.get_absolute_url()).content.decode()
    assert "Hvor lenge måtte vannet stenges?" in page and "roboten går i drift" in page
    # The answer's words find the case.
    assert [hit.document.object_id for hit in search("stengte vannet drift", mode="lexical").shown()] == [published.pk]


def test_questions_need_a_login_a_text_and_a_published_case(cast, make_case, published):
    assert client_for(None).post(f"/cases/{published.pk}/questions/", {"body": "Hei?"}).status_code == 302
    client_for(cast["bob"]).post(f"/cases/{published.pk}/questions/", {"body": "   "})
    draft = make_case(Status.DRAFT)
    assert client_for(cast["bob"]).post(f"/cases/{draft.pk}/questions/", {"body": "Hei?"}).status_code == 404
    assert not Question.objects.exists()


def test_questions_in_the_api(cast, published, api_client):
    asked = api_client(cast["bob"]).post(f"/api/cases/{published.pk}/questions", {"body": "Hva kostet det?"},
                                         content_type="application/json")
    assert asked.status_code == 201
    qid = asked.json()["id"]
    assert api_client(cast["bob"]).post(f"/api/cases/{published.pk}/questions/{qid}/answer", {"body": "Mye"},
                                        content_type="application/json").status_code == 403
    answered = api_client(cast["alice"]).post(f"/api/cases/{published.pk}/questions/{qid}/answer",
                                              {"body": "1,2 millioner."}, content_type="application/json")
    assert answered.json()["answer"] == "1,2 millioner."
    assert api_client(None).get(f"/api/cases/{published.pk}/questions").json()[0]["answer"] == "1,2 millioner."
    assert api_client(cast["bob"]).post(f"/api/cases/{published.pk}/questions", {"body": ""},
                                        content_type="application/json").status_code == 422


def _follow(user, topic, value, hours=1):
    return Subscription.objects.create(user=user, topic=topic, value=value,
                                       checked_at=timezone.now() - dt.timedelta(hours=hours))


def test_followed_topics_and_saved_searches_notify_once(cast, lyngdal, make_case):
    _follow(cast["dave"], "sector", "vann-avlop-avfall")
    _follow(cast["dave"], "search", "robot drikkevann")
    _follow(cast["dave"], "county", "46")
    case = make_case(Status.PUBLISHED)
    assert collect() == 1  # three subscriptions match the same case: one notification
    assert Notification.objects.get(user=cast["dave"]).event == f"case:{case.pk}"
    assert collect() == 0  # nothing new since
    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Inspeksjon av vanntunneler", "description": "Vi må inspisere tunnelene uten å stenge vannet.",
        "sector": case.sector})
    assert collect() == 1
    assert Notification.objects.filter(user=cast["dave"], event=f"need:{need.pk}").exists()


def test_subscription_form_rejects_unknown_values(cast):
    client = client_for(cast["dave"])
    assert client.post("/alerts/", {"topic": "sector", "value": "romfart"}).status_code == 400
    assert client.post("/alerts/", {"topic": "cpv", "value": "3x"}).status_code == 400
    assert client.post("/alerts/", {"topic": "county", "value": "99"}).status_code == 400
    assert client.post("/alerts/", {"topic": "cpv", "value": "34"}).status_code == 302
    assert client.post("/alerts/", {"topic": "cpv", "value": "34"}).status_code == 302  # already followed
    assert Subscription.objects.filter(user=cast["dave"]).count() == 1


def _mails_to(user) -> list:
    # Publishing a case also tells its own editors (Alice, for the Bergen case these tests publish).
    return [message for message in mail.outbox if message.to == [user.email]]


def test_digest_goes_out_once_with_one_click_unsubscribe(cast, make_case):
    _follow(cast["dave"], "sector", "vann-avlop-avfall")
    make_case(Status.PUBLISHED)
    collect()
    assert send_digests() == 2              # Dave's, and Alice's: "Publisert: …"
    assert send_digests() == 0  # the same notifications never go twice
    assert len(_mails_to(cast["dave"])) == 1 and "Publisert: Robot" in _mails_to(cast["alice"])[0].body
    message = _mails_to(cast["dave"])[0]
    assert message.to == ["dave@example.no"] and "Robot som inspiserer" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe.split("127.0.0.1:8000")[-1]
    assert client_for(None).post(path).status_code == 200  # a mail program, no session, no CSRF token
    assert AlertSettings.objects.get(user=cast["dave"]).frequency == "never"
    assert client_for(None).get("/alerts/unsubscribe/not-a-token/").status_code == 404


def test_weekly_digest_waits_a_week(cast, make_case):
    _follow(cast["dave"], "sector", "vann-avlop-avfall")
    make_case(Status.PUBLISHED)
    collect()
    now = timezone.now()
    send_digests(now)
    assert len(_mails_to(cast["dave"])) == 1
    make_case(Status.PUBLISHED, title="Ny robot")
    collect()
    send_digests(now + dt.timedelta(days=2))
    assert len(_mails_to(cast["dave"])) == 1
    send_digests(now + dt.timedelta(days=7))
    assert len(_mails_to(cast["dave"])) == 2


def test_alerts_command_runs_in_the_background_task(cast, make_case):
    _follow(cast["dave"], "sector", "vann-avlop-avfall")
    make_case(Status.PUBLISHED)
    call_command("alerts")  # enqueued: the test settings run tasks at once
    assert len(_mails_to(cast["dave"])) == 1


def test_notifications_page_marks_read(cast, make_case):
    _follow(cast["dave"], "sector", "vann-avlop-avfall")
    make_case(Status.PUBLISHED)
    collect()
    client = client_for(cast["dave"])
    assert "Robot som inspiserer" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=cast["dave"], read_at=None).exists()
    assert Notification.objects.filter(user=cast["alice"], read_at=None).exists()   # hers stay unread


def test_answers_on_followed_cases_arrive_once(cast, published, lyngdal):
    from delbar.questions.actions import answer, ask

    _follow(cast["dave"], "sector", "vann-avlop-avfall", hours=2)
    collect()  # the case itself
    question = ask(case=published, actor=cast["bob"], organization=lyngdal, body="Hva kostet roboten?")
    answer(question=question, actor=cast["alice"], body="Leien var 300 000 kroner i året.")
    assert collect() == 1
    assert Notification.objects.filter(user=cast["dave"], event=f"answer:{question.pk}").exists()
    assert collect() == 0
