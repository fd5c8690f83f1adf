"""Backups and restores: the database and the uploaded documents in one dated folder, with a manifest that
says what a faithful restore must hold (docs/operations.md has the operator's routine).

A backup folder (`delbar-YYYYmmdd-HHMMSS/`) holds
- `database.dump`: PostgreSQL's custom format (`pg_dump -Fc`), or `database.sqlite3`: a copy made with
  SQLite's online backup API (consistent while Delbar keeps writing);
- `media.tar`: the documents folder (the default storage's location);
- `manifest.json`: per table its row count and a checksum of its content, per document its size and
  SHA-256, and what made the backup.

On PostgreSQL the manifest and the dump read the same snapshot (pg_dump --snapshot), so they agree
however busy the database is. The checksum of a table is an MD5 over the sorted MD5s of its rows' text:
independent of row order, so a restored table, written in another order, has the same one. It is
compared between databases of the same engine only (the two engines write values differently).

A folder is written under a temporary name and renamed when complete: a folder with the final name is a
whole backup. Restoring goes into a new, empty database (never over a live one) and a new documents
folder, then checks both against the manifest; any difference is an error."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done or does not check out; the message says why."""


# --- What a database holds ------------------------------------------------------------------------------

def _postgres_tables(cursor) -> dict[str, dict]:
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # timestamps as text the same way in both databases
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    found = {}
    for (table,) in cursor.fetchall():
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                       f"FROM (SELECT md5(t::text) AS h FROM {quoted} t) AS rows")
        rows, checksum = cursor.fetchone()
        found[table] = {"rows": rows, "checksum": checksum}
    return found


def _sqlite_tables(db) -> dict[str, dict]:
    """`db`: a DB-API connection to SQLite. Each row as SQLite's own literals (quote()), so the text is the
    same whatever converters the connection has (Django's turns dates into objects, sqlite3's does not)."""
    names = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    found = {}
    for table in names:
        quoted = '"' + table.replace('"', '""') + '"'
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({quoted})")]
        text = " || ',' || ".join('quote("' + column.replace('"', '""') + '")' for column in columns)
        hashes = sorted(hashlib.md5(row.encode()).hexdigest() for (row,) in db.execute(f"SELECT {text} FROM {quoted}"))
        found[table] = {"rows": len(hashes), "checksum": hashlib.md5("".join(hashes).encode()).hexdigest()}
    return found


def sqlite_manifest(path: Path) -> dict[str, dict]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_tables(db)
    finally:
        db.close()


def postgres_manifest(database_url: str) -> dict[str, dict]:
    import psycopg

    with psycopg.connect(_libpq(database_url)) as db, db.cursor() as cursor:
        return _postgres_tables(cursor)


def current_manifest() -> dict[str, dict]:
    """The manifest's tables for Delbar's own database as it is now."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            return _postgres_tables(cursor)
    connection.ensure_connection()
    return _sqlite_tables(connection.connection)


# --- Documents --------------------------------------------------------------------------------------------

def media_root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def media_manifest(root: Path) -> dict[str, dict]:
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(root.rglob("*")) if path.is_file()}


# --- Taking a backup --------------------------------------------------------------------------------------

def _libpq(database_url: str) -> str:
    """A libpq connection string from a postgres:// address (psycopg and pg_dump take it as is)."""
    return database_url.replace("postgres://", "postgresql://", 1)


def _pg_env(db: dict) -> dict:
    """The connection of Django's settings as libpq's environment variables (the password stays off the
    command line, where other users of the machine could read it)."""
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "", "PGHOST": db.get("HOST") or "",
           "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return {key: value for key, value in env.items() if value != ""}


def _run(command: list[str], env: dict | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgres(folder: Path) -> dict:
    # The manifest is read in the snapshot that pg_dump dumps, inside one repeatable-read transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _postgres_tables(cursor)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={folder / DUMP}"],
             env=_pg_env(connection.settings_dict))
    return tables


def _copy_sqlite(folder: Path) -> dict:
    connection.ensure_connection()
    target = sqlite3.connect(folder / SQLITE_COPY)
    try:
        # Page by page while others write; the copy is one consistent moment of the database.
        connection.connection.backup(target)
    finally:
        target.close()
    return sqlite_manifest(folder / SQLITE_COPY)


def _tar_media(folder: Path, root: Path) -> dict:
    with tarfile.open(folder / MEDIA, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
    return media_manifest(root)


def take(destination: Path, *, now: dt.datetime | None = None) -> Path:
    """Backs the database and the documents up into a new dated folder under `destination`; returns it."""
    now = now or timezone.now()
    destination = Path(destination)
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot make the backup folder {destination}: {error.strerror}") from None
    if not os.access(destination, os.W_OK):
        raise BackupError(f"cannot write in {destination}")
    name = f"delbar-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}"
    final, partial = destination / name, destination / f".{name}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        engine = connection.vendor
        if engine == "postgresql":
            tables = _dump_postgres(partial)
        elif engine == "sqlite":
            tables = _copy_sqlite(partial)
        else:
            raise BackupError(f"no backup for the {engine} database engine")
        media = _tar_media(partial, media_root())
        manifest = {"format": FORMAT, "engine": engine, "taken_at": now.isoformat(), "tables": tables,
                    "media": media}
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


# --- Restoring --------------------------------------------------------------------------------------------

@dataclass
class Restored:
    tables: int
    rows: int
    documents: int


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a Delbar backup: it has no {MANIFEST}") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{folder}/{MANIFEST} is damaged: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} was written in backup format {manifest.get('format')}; this Delbar reads {FORMAT}")
    return manifest


def differences(expected: dict, found: dict, what: str) -> list[str]:
    problems = [f"{what} {name}: missing" for name in sorted(set(expected) - set(found))]
    problems += [f"{what} {name}: not in the backup" for name in sorted(set(found) - set(expected))]
    problems += [f"{what} {name}: {expected[name]} in the backup, {found[name]} restored"
                 for name in sorted(set(expected) & set(found)) if expected[name] != found[name]]
    return problems


def _restore_postgres(folder: Path, database_url: str) -> dict:
    import psycopg

    admin, name = database_url.rsplit("/", 1)
    try:
        with psycopg.connect(_libpq(admin + "/postgres"), autocommit=True) as db:
            if db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                with psycopg.connect(_libpq(database_url)) as target:
                    if target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]:
                        raise BackupError(f"database {name} is not empty: restore into a new database")
            else:
                db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise BackupError(f"cannot reach the database server of {database_url}: {error}") from None
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(database_url)}", str(folder / DUMP)])
    return postgres_manifest(database_url)


def _restore_sqlite(folder: Path, path: Path) -> dict:
    if path.exists() and path.stat().st_size:
        raise BackupError(f"{path} exists: restore into a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(folder / SQLITE_COPY), sqlite3.connect(path)
    try:
        source.backup(target)
        integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        source.close()
        target.close()
    if integrity != "ok":
        raise BackupError(f"the restored database fails its integrity check: {integrity}")
    return sqlite_manifest(path)


def restore(folder: Path, *, database_url: str, media: Path) -> Restored:
    """Restores the backup in `folder` into a new database (`database_url`: postgres://… or sqlite:///path)
    and a new documents folder, and checks both against the manifest. Raises BackupError on any
    difference, with every difference in the message."""
    folder, media = Path(folder), Path(media)
    manifest = read_manifest(folder)
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"{media} is not empty: restore the documents into a new folder")
    engine = manifest["engine"]
    if engine == "postgresql" and database_url.startswith(("postgres://", "postgresql://")):
        tables = _restore_postgres(folder, database_url)
    elif engine == "sqlite" and database_url.startswith("sqlite:///"):
        tables = _restore_sqlite(folder, Path(database_url.removeprefix("sqlite:///")))
    else:
        raise BackupError(f"the backup is of a {engine} database; {database_url.split(':', 1)[0]} was given")
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA) as tar:
        tar.extractall(media, filter="data")  # the "data" filter refuses absolute paths and links out
    problems = differences(manifest["tables"], tables, "table") + differences(
        manifest["media"], media_manifest(media), "document")
    if problems:
        raise BackupError("the restore does not match the backup:\n" + "\n".join(problems))
    return Restored(tables=len(tables), rows=sum(table["rows"] for table in tables.values()),
                    documents=len(manifest["media"]))
