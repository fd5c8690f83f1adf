from django.core.management.base import BaseCommand

from delbar.dialogues.tasks import remind


class Command(BaseCommand):
    help = ("E-mail and notify everyone registered for a dialogue that starts within a day, once. Idempotent: "
            "run it every hour from cron or a scheduler.")

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true",
                            help="run here and now instead of queueing a background task")

    def handle(self, *args, now=False, **options):
        if now:
            self.stdout.write(f"{remind.call()} reminded")
        else:
            result = remind.enqueue()
            self.stdout.write(f"queued as task {result.id}")
