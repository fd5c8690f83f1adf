"""`delbar backup FOLDER`: the database and the documents into a new dated folder under FOLDER, with a
manifest of row counts and checksums (ops/backup.py; docs/operations.md says how often and where)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from delbar.ops import backup


class Command(BaseCommand):
    help = ("Back the database and the uploaded documents up into a new dated folder under FOLDER, with a "
            "manifest of row counts and checksums. Safe while Delbar runs.")

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="where the dated backup folder is made")

    def handle(self, *args, folder: Path, **options):
        try:
            made = backup.take(folder)
        except backup.BackupError as error:
            raise CommandError(f"backup failed: {error}") from None
        manifest = backup.read_manifest(made)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"{made}: {len(manifest['tables'])} tables, {rows} rows, "
                          f"{len(manifest['media'])} documents")
