from datetime import date

from django.core.management.base import BaseCommand, CommandError

from delbar.notices.harvest import HarvestError, default_since, harvest_doffin, harvest_ted
from delbar.notices.models import Source


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = ("Fetch new notices from Doffin's public API or TED's search API and import them (docs/notices.md). "
            "Without --since, continues from the newest notice already harvested from that source.")

    def add_arguments(self, parser):
        parser.add_argument("source", choices=[Source.DOFFIN, Source.TED])
        parser.add_argument("--since", help="the first publication day to fetch, YYYY-MM-DD")
        parser.add_argument("--until", help="the last publication day to fetch, YYYY-MM-DD (default: today)")

    def handle(self, *args, source, since=None, until=None, **options):
        since_day = parse_day(since) if since else default_since(source)
        until_day = parse_day(until) if until else None
        if until_day and until_day < since_day:
            raise CommandError("--until is before --since")
        harvester = harvest_doffin if source == Source.DOFFIN else harvest_ted
        try:
            run = harvester(since_day, until_day)
        except HarvestError as error:
            raise CommandError(f"{source}: {error}. Notices fetched before the error are kept; "
                               "run again to go on.") from None
        for name, reason in run.report.skipped:
            self.stderr.write(f"{name}: skipped: {reason}")
        self.stdout.write(f"{source} since {since_day}: {run}")
