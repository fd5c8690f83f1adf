import sys

from django.core.management.base import BaseCommand

from delbar.cases.interchange import export_cases
from delbar.cases.models import Case, Status


class Command(BaseCommand):
    help = "Export cases as JSON Lines in the case interchange format (a superset of it)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--status", choices=Status.values, action="append",
                            help="export cases in this status (repeatable; default: published)")

    def handle(self, *args, output=None, status=None, **options):
        queryset = Case.objects.filter(status__in=status or [Status.PUBLISHED])
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                count = export_cases(stream, queryset)
            self.stderr.write(f"{count} cases written to {output}")
        else:
            export_cases(sys.stdout, queryset)
