import io
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from delbar import search
from delbar.cases.interchange import InterchangeError, import_cases, read_lines
from delbar.needs.interchange import import_needs


def detect_kind(text: str) -> str:
    """Cases have a summary; needs have a description and none (shared/formats/)."""
    for raw in text.splitlines():
        if raw.strip():
            try:
                first = json.loads(raw)
            except json.JSONDecodeError:
                return "cases"  # the case importer names the bad line
            if isinstance(first, dict) and "description" in first and "summary" not in first:
                return "needs"
            return "cases"
    return "cases"


def import_needs_text(stream):
    return import_needs(read_lines(stream))


def holds_notices(path: str) -> bool:
    """Folders, XML and OCDS JSON are notices; JSON Lines are cases or needs."""
    return path != "-" and (Path(path).is_dir() or Path(path).suffix.lower() in (".xml", ".json"))


BAR = 24  # characters in the terminal's progress bar

class Command(BaseCommand):
    help = ("Import cases or needs from a JSON Lines file in the interchange formats (docs/interchange.md), or "
            "notices from eForms or TED XML files, OCDS JSON packages, or a folder of them (docs/notices.md). "
            "The kind is told from the path and the first line unless --kind says it.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file, - for standard input, or notice files or a folder")
        parser.add_argument("--kind", choices=["cases", "needs", "notices"], help="what the path holds")

    def handle(self, *args, path, kind=None, **options):
        if kind == "notices" or (kind is None and holds_notices(path)):
            return self.import_notices(path, options["verbosity"])
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                file = Path(path)
                if not file.is_file():
                    raise CommandError(f"{path}: no such file")
                text = file.read_text(encoding="utf-8")
            kind = kind or detect_kind(text)
            importer = import_needs_text if kind == "needs" else import_cases
            report = importer(io.StringIO(text))
        except InterchangeError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: the file is not UTF-8 text. Nothing was imported.") from None
        self.stdout.write(f"{path}: {kind}: {report}")

    def import_notices(self, path: str, verbosity: int) -> None:
        from delbar.notices.importing import ImportReport, import_path, notice_files

        if not Path(path).exists():
            raise CommandError(f"{path}: no such file or folder")
        total = len(notice_files(Path(path)))
        # On a terminal a line of counts is redrawn as the files go by; each skip is said when it happens.
        terminal = verbosity > 0 and getattr(self.stderr._out, "isatty", lambda: False)()

        def skipped(name: str, reason: str) -> None:
            self.stderr.write(("\r\033[K" if terminal else "") + f"{name}: skipped: {reason}", style_func=str)

        done = 0

        def progress(_file, report: ImportReport) -> None:
            nonlocal done
            done += 1
            if terminal:
                filled = BAR * done // max(total, 1)
                self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done:,} of {total:,} files · "
                                  f"{report.created:,} new · {report.merged:,} merged · "
                                  f"{report.unchanged:,} already present · {len(report.skipped):,} skipped",
                                  ending="", style_func=str)
                self.stderr.flush()

        report = import_path(Path(path), report=ImportReport(on_skip=skipped), progress=progress)
        if terminal:
            self.stderr.write("")
        self.stdout.write(f"{path}: notices: {report}")
        if verbosity > 0:
            width = max(len(label) for label, _count in report.table())
            for label, count in report.table():
                self.stdout.write(f"  {label:<{width}}  {count:>9,}")
            if waiting := search.waiting():
                self.stdout.write(f"Search finds the new notices by their words now; {waiting:,} documents wait for "
                                  "the task worker (`delbar db_worker`) to embed them, and are found by meaning after.")
