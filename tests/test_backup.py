"""The backup and restore drill: `delbar backup` writes the database (pg_dump's custom format, or SQLite's
online backup) and the documents into a dated folder with a manifest; `delbar restore` puts them into a
new database and a new documents folder and checks row counts, content checksums and every document
against the manifest. On the engine DATABASE_URL names. Refusals say why and exit non-zero."""

import os
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from delbar.cases.models import Status
from delbar.ops import backup
from tests.conftest import client_for

pytestmark = pytest.mark.usefixtures("restore_reference_data")


@pytest.fixture
def new_database(tmp_path):
    """The address of a database that does not exist yet, of the engine under test; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"delbar_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def with_document(reference_data, cast, make_case, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(Status.PUBLISHED)
    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "Sluttrapport", "file": SimpleUploadedFile("sluttrapport.pdf", pdf_bytes)})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = case.documents.get()
    return case, document


def test_backup_then_restore_into_a_new_database_gives_the_same_rows_and_documents(
        with_document, tmp_path, new_database, capsys):
    case, document = with_document
    call_command("backup", str(tmp_path / "backups"))
    made = capsys.readouterr().out.split(":", 1)[0]
    manifest = backup.read_manifest(made)
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["cases_case"]["rows"] == 1
    assert manifest["tables"]["orgs_organization"]["rows"] > 300  # the reference data came along
    assert list(manifest["media"]) == [document.file.name]

    call_command("restore", made, "--database-url", new_database, "--media-root", str(tmp_path / "restored-media"))
    said = capsys.readouterr().out
    assert "match the manifest" in said and f"{len(manifest['tables'])} tables" in said
    restored_file = tmp_path / "restored-media" / document.file.name
    assert restored_file.read_bytes() == document.file.open("rb").read()
    restored = (backup.sqlite_manifest(new_database.removeprefix("sqlite:///")) if connection.vendor == "sqlite"
                else backup.postgres_manifest(new_database))
    assert restored == manifest["tables"] == backup.current_manifest()
    # The checksums compare content: one changed value in one row is found, and only that table.
    case.title = "Endret etter sikkerhetskopien"
    case.save(update_fields=["title"])
    live = backup.current_manifest()
    assert live["cases_case"]["rows"] == 1
    assert backup.differences(manifest["tables"], live, "table") == [
        f"table cases_case: {manifest['tables']['cases_case']} in the backup, {live['cases_case']} restored"]

def test_restore_refuses_a_database_that_is_not_new_and_a_damaged_backup(with_document, tmp_path, new_database,
                                                                         capsys):
    call_command("backup", str(tmp_path / "backups"))
    made = capsys.readouterr().out.split(":", 1)[0]
    call_command("restore", made, "--database-url", new_database, "--media-root", str(tmp_path / "first"))
    with pytest.raises(CommandError, match="restore failed: .*(not empty|exists): restore into a new"):
        call_command("restore", made, "--database-url", new_database, "--media-root", str(tmp_path / "second"))
    with pytest.raises(CommandError, match="restore failed: .* is not empty: restore the documents into a new folder"):
        call_command("restore", made, "--database-url", new_database, "--media-root", str(tmp_path / "first"))
    (tmp_path / "backups" / "not-a-backup").mkdir()
    with pytest.raises(CommandError, match="is not a Delbar backup: it has no manifest.json"):
        call_command("restore", str(tmp_path / "backups" / "not-a-backup"), "--database-url", new_database,
                     "--media-root", str(tmp_path / "third"))


def test_a_backup_folder_that_cannot_be_written_is_refused(reference_data, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="backup failed: cannot make the backup folder"):
        call_command("backup", str(blocker / "backups"))
