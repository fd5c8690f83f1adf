from django.core.management.base import BaseCommand, CommandError

from delbar.cases.models import Case
from delbar.diffusion.proposals import propose_for


class Command(BaseCommand):
    help = ("Propose likely adoptions of published cases from later notices and cases of other buyers. "
            "Idempotent: run it on a schedule (after each harvest); pairs already proposed, declared or "
            "dismissed are left alone.")

    def add_arguments(self, parser):
        parser.add_argument("--case", help="only this case (the import file's id or the database id)")

    def handle(self, *args, case=None, **options):
        cases = Case.objects.published().select_related("lead_buyer")
        if case:
            cases = cases.filter(external_id=case) | (cases.filter(pk=int(case)) if case.isdigit() else cases.none())
            if not cases.exists():
                raise CommandError(f"no published case with id {case}")
        made = sum(propose_for(item) for item in cases.iterator())
        self.stdout.write(f"{made} new adoption proposals")
