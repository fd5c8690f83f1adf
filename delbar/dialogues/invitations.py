"""A dialogue as an iCalendar event (RFC 5545), and the e-mails that carry it: the invitation when someone
registers, the cancellation, the reminder the day before.

One event per dialogue: its UID never changes, and its SEQUENCE rises with each change that calendars must
pick up (actions.py raises it), so a calendar replaces the event instead of adding a second. Times are
written in Europe/Oslo with the zone's definition included, as calendar programs expect. The online link
is in the e-mailed invitations only (they go to registered people); the public calendar file names the
place, or says the dialogue is online.
"""

import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delbar.dialogues.models import Dialogue

ZONE = zoneinfo.ZoneInfo("Europe/Oslo")
PRODUCT = "-//Delbar//Dialogue conferences//EN"
# The zone's rules are written for the years around the event only (icalendar writes 1970-2038 otherwise).
ZONE_MARGIN = dt.timedelta(days=366)


def uid(dialogue: Dialogue) -> str:
    return f"dialogue-{dialogue.pk}@{urlsplit(settings.SITE_URL).hostname or 'delbar'}"


def _sender_address() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()


def calendar(dialogue: Dialogue, *, method: str = "PUBLISH", attendee=None, private: bool = False) -> bytes:
    """The dialogue as a calendar with one event. `method`: PUBLISH (a file to download), REQUEST (an
    invitation to `attendee`) or CANCEL. `private` adds the online link (for registered people)."""
    url = settings.SITE_URL + dialogue.get_absolute_url()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid(dialogue))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", dialogue.starts_at.astimezone(ZONE))
    event.add("dtend", dialogue.ends_at.astimezone(ZONE))
    event.add("sequence", dialogue.sequence)
    event.add("summary", dialogue.title)
    event.add("location", dialogue.place or (_("Online") if dialogue.online_url else ""))
    event.add("url", url)
    description = [dialogue.purpose]
    if private and dialogue.online_url:
        description.append(_("Online: %(link)s") % {"link": dialogue.online_url})
    description.append(url)
    event.add("description", "\n\n".join(description))
    cancelled = method == "CANCEL" or dialogue.cancelled_at is not None
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method != "PUBLISH":
        # A request or cancellation names who sends it and whom it is for (RFC 5546 3.2.2, 3.2.5).
        organizer = icalendar.vCalAddress(f"mailto:{_sender_address()}")
        organizer.params["cn"] = dialogue.organizer.name
        event.add("organizer", organizer)
        if attendee is not None and attendee.email:
            person = icalendar.vCalAddress(f"mailto:{attendee.email}")
            person.params["cn"] = attendee.get_full_name() or attendee.email
            person.params["role"] = "REQ-PARTICIPANT"
            person.params["partstat"] = "ACCEPTED"
            event.add("attendee", person)
    cal.add_component(event)
    start = dialogue.starts_at.astimezone(ZONE).date()
    cal.add_missing_timezones(first_date=start - ZONE_MARGIN, last_date=start + ZONE_MARGIN)
    return cal.to_ical()


def _message(*, user, subject: str, template: str, dialogue: Dialogue, method: str,
             context: dict | None = None) -> EmailMessage | None:
    if not user or not user.email:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {"dialogue": dialogue, "user": user, "site_url": settings.SITE_URL,
                                           "url": settings.SITE_URL + dialogue.get_absolute_url(),
                                           **(context or {})})
        subject = subject % {"title": dialogue.title}
        ics = calendar(dialogue, method=method, attendee=user, private=method != "CANCEL")
    message = EmailMessage(subject, body, to=[user.email])
    message.attach("invitation.ics", ics.decode(), f"text/calendar; method={method}")
    return message


def _send(**message) -> None:
    written = _message(**message)
    if written is not None:
        written.send()


def send_invitation(dialogue: Dialogue, user, *, changed: bool = False) -> None:
    subject = _("Changed: %(title)s") if changed else _("You are registered: %(title)s")
    _send(user=user, subject=subject, template="dialogues/email/invitation.txt", dialogue=dialogue,
          method="REQUEST", context={"changed": changed})


def send_cancellation(dialogue: Dialogue, user, *, registration_only: bool = False, note: str = "") -> None:
    subject = _("Registration cancelled: %(title)s") if registration_only else _("Cancelled: %(title)s")
    _send(user=user, subject=subject, template="dialogues/email/cancellation.txt", dialogue=dialogue,
          method="CANCEL", context={"registration_only": registration_only, "note": note})


def reminder(dialogue: Dialogue, user) -> EmailMessage | None:
    """The day-before reminder, written but not sent (actions.send_reminders sends it after its claim)."""
    return _message(user=user, subject=_("Reminder: %(title)s"), template="dialogues/email/reminder.txt",
                    dialogue=dialogue, method="REQUEST")
