import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from delbar.cases.interchange import InterchangeError, import_cases


class Command(BaseCommand):
    help = "Import cases from a JSON Lines file in the case interchange format (docs/interchange.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file, or - for standard input")

    def handle(self, *args, path, **options):
        try:
            if path == "-":
                report = import_cases(sys.stdin)
            else:
                file = Path(path)
                if not file.is_file():
                    raise CommandError(f"{path}: no such file")
                with file.open(encoding="utf-8") as stream:
                    report = import_cases(stream)
        except InterchangeError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: the file is not UTF-8 text. Nothing was imported.") from None
        self.stdout.write(f"{path}: {report}")
