"""Turning subscriptions into notifications: what is new since each subscription last looked, and
what its user may see (new cases, needs, dialogues announced with the market, and published innovation
competitions — challenges). Run by `delbar
alerts` (a scheduled, idempotent command) as a background task.

An object reaches a user once however many subscriptions match it: the notification's event is the
object ("case:12"), and notify() skips events a user already has."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delbar.alerts import notify
from delbar.alerts.models import Subscription
from delbar.search import KINDS, visible_documents
from delbar.search import search as search_documents

NEWS_KINDS = ("case", "need", "dialogue", "challenge")
LIVE = {"case": {"public": True}, "need": {"status": "open"}, "dialogue": {"public": True},
        "challenge": {"public": True}}


def _new_documents(subscription: Subscription, since: dt.datetime, until: dt.datetime):
    """The new documents this subscription's user may see that match its topic."""
    user = subscription.user
    documents = visible_documents(user, list(NEWS_KINDS)).filter(date__gt=since, date__lte=until)
    topic, value = subscription.topic, subscription.value.strip()
    if topic == Subscription.Topic.SECTOR:
        return documents.filter(sectors__contains=f" {value} ")
    if topic == Subscription.Topic.COUNTY:
        return documents.filter(county=value)
    if topic == Subscription.Topic.CPV:
        from delbar.cases.models import Case
        from delbar.challenges.models import Challenge
        from delbar.dialogues.models import Dialogue
        from delbar.needs.models import Need, Visibility

        cases = Case.cpv_codes.through.objects.filter(cpvcode__code__startswith=value).values("case_id")
        needs = Need.cpv_codes.through.objects.filter(cpvcode__code__startswith=value).values("need_id")
        # A dialogue by the CPV codes of the public needs on its agenda (a buyers-only need shows nowhere).
        dialogues = Dialogue.needs.through.objects.filter(
            need__visibility=Visibility.PUBLIC, need__cpv_codes__code__startswith=value).values("dialogue_id")
        # A challenge by its own CPV codes (taken from its need when it was made, or chosen by its owner).
        challenges = Challenge.cpv_codes.through.objects.filter(cpvcode__code__startswith=value).values("challenge_id")
        return (documents.filter(kind="case", object_id__in=cases) | documents.filter(kind="need", object_id__in=needs)
                | documents.filter(kind="dialogue", object_id__in=dialogues)
                | documents.filter(kind="challenge", object_id__in=challenges))
    if topic == Subscription.Topic.SEARCH:
        result = search_documents(value, kinds=list(NEWS_KINDS), user=user)
        ids = [hit.doc_id for hit in result.hits if hit.values["date"] and since < hit.values["date"] <= until]
        return documents.filter(pk__in=ids)
    return documents.none()


def _new_answers(subscription: Subscription, since: dt.datetime, until: dt.datetime) -> list:
    """Questions answered in the window on published cases that match the subscription's topic."""
    from delbar.questions.models import Question

    answered = list(Question.objects.filter(answered_at__gt=since, answered_at__lte=until).select_related("case"))
    if not answered:
        return []
    everything = dt.datetime.min.replace(tzinfo=dt.UTC)
    matching_cases = set(_new_documents(subscription, everything, until).filter(
        kind="case", public=True, object_id__in=[q.case_id for q in answered]).values_list("object_id", flat=True))
    return [question for question in answered if question.case_id in matching_cases]


def collect(now: dt.datetime | None = None) -> int:
    """Creates notifications for everything new since each subscription last looked; returns how many."""
    now = now or timezone.now()
    created = 0
    for subscription in Subscription.objects.select_related("user").filter(user__is_active=True):
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            for document in _new_documents(subscription, locked.checked_at, now).filter(
                    kind__in=NEWS_KINDS).order_by("date")[:100]:
                label = {"case": _("New case"), "need": _("New need"), "dialogue": _("New dialogue"),
                         "challenge": _("New challenge")}[document.kind]
                created += notify([subscription.user], event=f"{document.kind}:{document.object_id}",
                                  title=f"{label}: {document.title}",
                                  url=KINDS[document.kind].model(pk=document.object_id).get_absolute_url())
            for question in _new_answers(subscription, locked.checked_at, now):
                created += notify([subscription.user], event=f"answer:{question.pk}",
                                  title=_("New answer on “%(case)s”") % {"case": question.case.title},
                                  url=f"{question.case.get_absolute_url()}#question-{question.pk}")
            locked.checked_at = now
            locked.save(update_fields=["checked_at"])
    return created

