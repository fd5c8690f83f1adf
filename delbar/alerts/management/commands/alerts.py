from django.core.management.base import BaseCommand

from delbar.alerts.tasks import run_alerts


class Command(BaseCommand):
    help = ("Turn saved searches and followed topics into notifications and send the e-mail digests that are "
            "due. Idempotent: run it every hour from cron or a scheduler.")

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true",
                            help="run here and now instead of queueing a background task")

    def handle(self, *args, now=False, **options):
        if now:
            result = run_alerts.call()
            self.stdout.write(f"{result['notifications']} notifications, {result['emails']} e-mails")
        else:
            result = run_alerts.enqueue()
            self.stdout.write(f"queued as task {result.id}")
