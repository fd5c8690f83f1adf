"""What every benchmark shares: Django with production settings in a temporary folder, a fresh
PostgreSQL database when DATABASE_URL names one, percentiles, and the results file."""

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def setup_django(prefix: str, keep: Path | None = None) -> Path:
    """Configures production settings (minus HTTPS redirects) in a new temporary folder, migrates.

    With `keep`, the folder is that one and a PostgreSQL database there from an earlier run is kept
    (and migrated), so a benchmark can skip building its data again; drop_database() then keeps it too."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        os.environ["DELBAR_BENCH_KEEP"] = "1"
    work = keep or Path(tempfile.mkdtemp(prefix=f"delbar-{prefix}-"))
    os.environ.update(DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0",
                      STATIC_ROOT=str(work / "static"))
    os.environ["DELBAR_DATA_DIR"] = str(work)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "delbar.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        _fresh_postgres_database(settings, keep=keep is not None)
    call_command("migrate", verbosity=0)
    return work


def analyze() -> None:
    """A live database has planner statistics (PostgreSQL's autovacuum, SQLite after `delbar
    reindex`) and, on PostgreSQL, a visibility map that lets index-only scans skip the table; a bulk
    load seconds old does not yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def machine() -> str:
    import django
    from django.db import connection

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, Django {django.get_version()}, {connection.vendor}")


def write_results(name: str, title: str, lines: list[str]) -> None:
    from django.db import connection

    text = "\n".join([f"# {title}", "", f"Machine: {machine()}  ",
                      f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "", *lines]) + "\n"
    print(text)
    out = REPO / "bench" / "results" / f"{name}-{connection.vendor}.md"
    out.write_text(text, encoding="utf-8")
    print(f"written to {out.relative_to(REPO)}")


def drop_database() -> None:
    """Drops the PostgreSQL database setup_django created (SQLite's lives in the temporary folder)."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or os.environ.get("DELBAR_BENCH_KEEP"):
        return
    connection.close()
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(dbname="postgres", host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')


def _fresh_postgres_database(settings, keep: bool = False) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(dbname="postgres", host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                         autocommit=True) as admin:
        if keep and admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            return
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
