"""The e-mail digest: a user's notifications not yet e-mailed, in one message, daily or weekly.

A notification is e-mailed at most once, whatever reruns, parallel workers or killed workers do. Each
digest is claimed first: its notifications are marked e-mailed (and the user's last digest time set) in
a transaction of its own, under a lock on the user's settings row, which commits before the message is
handed to the mail server. A send that fails (the server refuses or is down) puts the marks back, and
the next run tries again. A worker killed between the claim's commit and the server's acceptance loses
that one digest: it is never sent twice, and its notifications are still listed in Delbar
(docs/operations.md, "A task worker is killed")."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delbar.alerts.models import AlertSettings, Frequency, Notification

PERIODS = {Frequency.DAILY: dt.timedelta(days=1), Frequency.WEEKLY: dt.timedelta(days=7)}
# A little slack, so a daily job that runs a few minutes early still sends.
SLACK = dt.timedelta(hours=1)


def settings_for(user) -> AlertSettings:
    alert_settings, _ = AlertSettings.objects.get_or_create(user=user)
    return alert_settings


def due_users(now: dt.datetime):
    pending = Notification.objects.filter(emailed_at=None).values("user_id")
    return get_user_model().objects.filter(pk__in=pending, is_active=True).exclude(email="")


def send_digests(now: dt.datetime | None = None, base_url: str | None = None) -> int:
    """Sends every digest that is due; returns how many e-mails went out."""
    now = now or timezone.now()
    base_url = base_url or settings.SITE_URL
    sent = 0
    for user in due_users(now):
        claim = _claim(user, now, base_url)
        if claim is None:
            continue
        message, alert_settings, notifications, previous = claim
        try:
            message.send()
        except Exception:
            _release(alert_settings, notifications, now, previous)
            raise
        sent += 1
    return sent


@transaction.atomic
def _claim(user, now: dt.datetime, base_url: str):
    """Marks the user's digest as sent, if one is due, and writes it: (the message, settings, notifications,
    the previous digest time), or None. Committed before the message goes out, so no other run can send it
    again; only the hand-over to the mail server is left after the commit."""
    alert_settings = AlertSettings.objects.select_for_update().filter(user=user).first() or settings_for(user)
    if alert_settings.frequency == Frequency.NEVER:
        return None
    period = PERIODS[alert_settings.frequency]
    if alert_settings.last_digest_at and now - alert_settings.last_digest_at < period - SLACK:
        return None
    notifications = list(Notification.objects.select_for_update().filter(user=user, emailed_at=None)
                         .order_by("created_at", "id")[:200])
    if not notifications:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    previous = alert_settings.last_digest_at
    alert_settings.last_digest_at = now
    alert_settings.save(update_fields=["last_digest_at"])
    return _message(user, alert_settings, notifications, base_url), alert_settings, notifications, previous


@transaction.atomic
def _release(alert_settings, notifications, now: dt.datetime, previous) -> None:
    """Puts back a claim whose message the mail server did not take, so the next run sends it."""
    Notification.objects.filter(pk__in=[n.pk for n in notifications], emailed_at=now).update(emailed_at=None)
    AlertSettings.objects.filter(pk=alert_settings.pk, last_digest_at=now).update(last_digest_at=previous)


def _message(user, alert_settings, notifications, base_url: str) -> EmailMultiAlternatives:
    unsubscribe = base_url + reverse("alerts_unsubscribe", args=[alert_settings.unsubscribe_token])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "notifications": notifications, "base_url": base_url, "unsubscribe": unsubscribe,
                   "settings_url": base_url + reverse("alerts")}
        subject = _("Delbar: %(count)s new for you") % {"count": len(notifications)}
        body = render_to_string("alerts/digest.txt", context)
        html = render_to_string("alerts/digest.html", context)
    message = EmailMultiAlternatives(subject, body, to=[user.email], headers={
        # One-click unsubscribe (RFC 8058): mail programs offer it next to the sender.
        "List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    message.attach_alternative(html, "text/html")
    return message
