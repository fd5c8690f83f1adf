from django.core.management.base import BaseCommand, CommandError

from delbar.cases.interchange import export_cases
from delbar.cases.models import Case, Status
from delbar.needs.interchange import export_needs
from delbar.needs.models import Need, Visibility


class Command(BaseCommand):
    help = "Export cases or needs as JSON Lines in the interchange formats (a superset of them)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--kind", choices=["cases", "needs"], default="cases", help="what to export")
        parser.add_argument("--status", action="append",
                            help="cases or needs in this status (repeatable; default: published cases, every need)")
        parser.add_argument("--include-buyers-only", action="store_true",
                            help="needs: include those only public buyers may see (default: public needs only)")

    def handle(self, *args, output=None, kind="cases", status=None, include_buyers_only=False, **options):
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
