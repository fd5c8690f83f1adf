from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from delbar.cases.interchange import export_cases
from delbar.cases.models import Case, Status
from delbar.needs.interchange import export_needs
from delbar.needs.models import Need, Visibility
from delbar.opendata import open_data_challenges, open_data_dialogues, open_data_querysets
from delbar.opendata.ocds import write_package, write_record_package
from delbar.opendata.tables import write_csv


class Command(BaseCommand):
    help = ("Export cases or needs as JSON Lines in the interchange formats (a superset of them), or published "
            "cases, imported notices, dialogues and challenges as an OCDS 1.1 release package (--format ocds), "
            "record package (--format ocds-records) or CSV (--format csv; cases and notices).")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=["jsonl", "ocds", "ocds-records", "csv"], default="jsonl",
                            help="jsonl: the interchange format; ocds: an OCDS 1.1 release package; ocds-records: "
                                 "an OCDS record package, each process's releases and compiled release; csv: a table")
        parser.add_argument("--kind", choices=["cases", "needs", "notices", "dialogues", "challenges"],
                            help="what to export (default: cases; for ocds, cases, notices, the dialogues "
                                 "that plan a procurement and the published challenges; for csv, cases and "
                                 "notices)")
        parser.add_argument("--status", action="append",
                            help="cases or needs in this status (repeatable; default: published cases, every need)")
        parser.add_argument("--include-buyers-only", action="store_true",
                            help="needs: include those only public buyers may see (default: public needs only)")
        parser.add_argument("--include-superseded", action="store_true",
                            help="notices: every version, not only the current one")

    def handle(self, *args, output=None, format="jsonl", kind=None, status=None, include_buyers_only=False,
               include_superseded=False, **options):
        if format != "jsonl":
            return self.open_data(output, format, kind, include_superseded)
        kind = kind or "cases"
        if kind == "notices":
            raise CommandError("notices are exported as --format ocds or --format csv")
        if kind in ("dialogues", "challenges"):
            raise CommandError(f"{kind} are exported as --format ocds or --format ocds-records")
        if kind == "needs":
            queryset = Need.objects.all() if include_buyers_only else Need.objects.filter(
                visibility=Visibility.PUBLIC)
            if status:
                queryset = queryset.filter(status__in=status)
            write = export_needs
        else:
            unknown = set(status or []) - set(Status.values)
            if unknown:
                raise CommandError(f"unknown case status {', '.join(sorted(unknown))}")
            queryset = Case.objects.filter(status__in=status or [Status.PUBLISHED])
            write = export_cases
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                count = write(stream, queryset)
            self.stderr.write(f"{count} {kind} written to {output}")
        else:
            write(self.stdout, queryset)

    def open_data(self, output, format, kind, include_superseded):
        if kind == "needs":
            raise CommandError("needs are not part of the OCDS or CSV export: they are not procurements yet")
        if kind in ("dialogues", "challenges") and format == "csv":
            raise CommandError(f"{kind} are not in the CSV: its rows are cases and notices")
        cases, notices = open_data_querysets(kind, include_superseded)
        processes = (open_data_dialogues(kind), open_data_challenges(kind))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = self.write(stream, format, cases, notices, *processes)
        else:
            count = self.write(self.stdout, format, cases, notices, *processes)
        if format.startswith("ocds") and count == 0:
            raise CommandError("nothing to export: an OCDS package needs at least one release")
        unit = {"ocds": "releases", "ocds-records": "records"}.get(format, "rows")
        self.stderr.write(f"{count} {unit} written")

    def write(self, stream, format, cases, notices, dialogues, challenges) -> int:
        if format == "ocds":
            return write_package(stream, cases, notices, dialogues, challenges)
        if format == "ocds-records":
            return write_record_package(stream, cases, notices, dialogues, challenges)
        return write_csv(stream, cases, notices, settings.SITE_URL.rstrip("/"))
