"""`delbar restore BACKUP --database-url URL --media-root DIR`: a backup into a new database and a new
documents folder, checked against its manifest (ops/backup.py). The restore drill of
docs/operations.md; pointing Delbar at the result is the operator's own step."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from delbar.ops import backup as backups


class Command(BaseCommand):
    help = ("Restore a backup folder into a NEW database and a NEW documents folder, then check row counts, "
            "content checksums and documents against the backup's manifest. Never writes over a database "
            "that has tables.")

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="a folder `delbar backup` made")
        parser.add_argument("--database-url", required=True,
                            help="the new database: postgres://user@host:port/new_name or sqlite:////path/new.sqlite3")
        parser.add_argument("--media-root", required=True, type=Path, help="a new, empty folder for the documents")

    def handle(self, *args, backup: Path, database_url: str, media_root: Path, **options):
        try:
            restored = backups.restore(backup, database_url=database_url, media=media_root)
        except backups.BackupError as error:
            raise CommandError(f"restore failed: {error}") from None
        self.stdout.write(f"restored and checked: {restored.tables} tables, {restored.rows} rows, "
                          f"{restored.documents} documents match the manifest")

