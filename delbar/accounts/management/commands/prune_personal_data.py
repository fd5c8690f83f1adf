from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from delbar.accounts.personal_data import (
    ATTENDEE_DAYS,
    erase_user,
    prune_attendee_lists,
    prune_audit_events,
    unverified_accounts,
)

# One year: long enough to look into a misuse or a complaint about a change, and to cover the yearly
# review of who had access; after that the audit log says what happened, not who did it (docs/privacy.md).
AUDIT_DAYS = 365
# The verification link lasts three days (allauth's default); a month leaves time to ask for a new one.
UNVERIFIED_DAYS = 30


class Command(BaseCommand):
    help = ("Delete personal data past its retention period: the person in audit events older than "
            f"--audit-days (default {AUDIT_DAYS}), local accounts never verified after --unverified-days "
            f"(default {UNVERIFIED_DAYS}), the attendees named in dialogue registrations --attendee-days after "
            f"the dialogue (default {ATTENDEE_DAYS}), and expired sessions. Idempotent: run it daily.")

    def add_arguments(self, parser):
        parser.add_argument("--audit-days", type=int, default=AUDIT_DAYS)
        parser.add_argument("--unverified-days", type=int, default=UNVERIFIED_DAYS)
        parser.add_argument("--attendee-days", type=int, default=ATTENDEE_DAYS)

    def handle(self, *args, audit_days, unverified_days, attendee_days, **options):
        if audit_days < 1 or unverified_days < 1 or attendee_days < 1:
            raise CommandError("The periods are whole days, at least 1.")
        now = timezone.now()
        events = prune_audit_events(before=now - timedelta(days=audit_days))
        accounts = 0
        for user in unverified_accounts(joined_before=now - timedelta(days=unverified_days)):
            erase_user(user=user, actor=None)
            accounts += 1
        attendee_lists = prune_attendee_lists(ended_before=now - timedelta(days=attendee_days))
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        self.stdout.write(f"{events} audit events pruned, {accounts} unverified accounts deleted, "
                          f"{attendee_lists} attendee lists emptied, expired sessions cleared")
