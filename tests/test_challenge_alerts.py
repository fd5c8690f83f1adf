"""A published challenge is news: it reaches the subscriptions that follow its sector, its own CPV codes, its
owner's county or a saved search matching it, once, as "New challenge: …" linking to its page. A draft and
a cancelled challenge reach nobody, and no notification names an applicant to anyone else."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from delbar.accounts.models import Role
from delbar.alerts.models import Notification, Subscription
from delbar.alerts.news import collect
from delbar.challenges import actions
from delbar.challenges.models import Challenge
from delbar.orgs.models import CpvCode, Organization, Sector
from tests import test_challenges
from tests.conftest import _person
from tests.test_challenges import application_fields, challenge_fields, close, run_challenge

pytestmark = pytest.mark.django_db
group, suppliers = test_challenges.group, test_challenges.suppliers  # the fixtures


@pytest.fixture
def followers(cast, group):
    """Four suppliers' people, each following one topic the group's challenge matches, and one following a
    sector it does not."""
    sector = group.need.sector_id
    other_sector = Sector.objects.exclude(pk=sector).first().pk
    cpv = group.need.cpv_codes.get().code
    people = {}
    for name, topic, value in (("sara", "sector", sector), ("conrad", "cpv", cpv[:2]), ("kari", "county", "42"),
                               ("sindre", "search", "lekkasjesøk uten graving"), ("otto", "sector", other_sector)):
        organization = Organization.objects.create(kind="supplier", name=f"{name.title()} AS")
        people[name] = _person(name, organization, Role.SUPPLIER)
        Subscription.objects.create(user=people[name], topic=topic, value=value,
                                    checked_at=timezone.now() - dt.timedelta(hours=1))
    assert sector and group.lead.county_id == "42"
    return people


def told(user, challenge: Challenge) -> int:
    return Notification.objects.filter(user=user, event=f"challenge:{challenge.pk}").count()


def test_subscribers_are_told_once_of_a_published_challenge(cast, group, followers):
    with translation.override("en"):
        challenge = run_challenge(group, cast)
        collect()
        collect()
    for name in ("sara", "conrad", "kari", "sindre"):
        assert told(followers[name], challenge) == 1, name
        notification = Notification.objects.get(user=followers[name], event=f"challenge:{challenge.pk}")
        assert notification.title == f"New challenge: {challenge.title}"
        assert notification.url == challenge.get_absolute_url()
    assert told(followers["otto"], challenge) == 0


def test_the_cpv_topic_follows_the_challenges_own_codes(cast, group, followers):
    """A challenge given other CPV codes than its need's is found by its own."""
    other = CpvCode.objects.exclude(code__startswith=group.need.cpv_codes.get().code[:2]).first()
    Subscription.objects.create(user=cast["dave"], topic="cpv", value=other.code[:2],
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    challenge = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields(),
                               cpv_codes=[other])
    actions.add_phase(challenge=challenge, actor=cast["bob"], fields={
        "opens_at": test_challenges.later(hours=-1), "closes_at": test_challenges.later(days=9)})
    actions.set_criteria(challenge=challenge, actor=cast["bob"], rows=[{"name": "Kvalitet", "weight": 100}])
    actions.publish(challenge=challenge, actor=cast["bob"])
    collect()
    assert told(cast["dave"], challenge) == 1
    assert told(followers["conrad"], challenge) == 0  # the need's division, not the challenge's


def test_a_draft_and_a_cancelled_challenge_reach_nobody(cast, group, followers):
    draft = actions.create(actor=cast["bob"], owner=group.lead, group=group, fields=challenge_fields())
    collect()
    cancelled = run_challenge(group, cast)
    actions.cancel(challenge=cancelled, actor=cast["bob"])
    collect()
    for person in followers.values():
        assert told(person, draft) == 0 and told(person, cancelled) == 0
    assert not Notification.objects.filter(event__startswith="challenge:").exists()


def test_no_notification_names_a_losing_applicant_to_anyone_else(cast, group, suppliers, followers):
    with translation.override("en"):
        challenge = run_challenge(group, cast)
        first = challenge.phases.get(number=1)
        ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                             fields=application_fields())
        actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                      fields=application_fields(title="Fiberoptikk i rørene"))
        actions.answer(question=actions.ask(challenge=challenge, actor=suppliers["erik"], body="Hvor dype rør?"),
                       actor=cast["bob"], body="To meter.")
        close(first)
        actions.award(phase=first, actor=cast["bob"], awards={ours.pk: 400_000}, justification="Dave Robotics vant.")
        collect()
    others = Notification.objects.exclude(user=suppliers["erik"])
    assert others.filter(event=f"challenge:{challenge.pk}").count() == 4  # the news went out
    assert others.filter(user=suppliers["dave"], title__contains="awarded").exists()
    for notification in others:
        assert "Vannvakt" not in notification.title and "Fiberoptikk" not in notification.title, notification.title
    # Erik is told his own result, and only his.
    [result] = Notification.objects.filter(user=suppliers["erik"], event__startswith="challenge-result:")
    assert "not awarded" in result.title
