"""Import, export and page latency for the case database at a realistic size.

Generates N cases in the interchange format from the demo cases (other municipalities, years and
titles), imports them into a fresh database, imports again (idempotent), exports, then times the
pages and API endpoints a visitor uses, through Django's test client in this process.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def generate(path: Path, count: int, municipalities: list[str]) -> None:
    templates = [json.loads(line) for line in (REPO / "delbar/demo/cases.jsonl").read_text().splitlines()]
    rng = random.Random(42)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            case = dict(rng.choice(templates))
            case["id"] = f"bench-{number:06d}"
            case["title"] = f"{case['title']} ({number})"
            case["buyer"] = {"kommunenummer": rng.choice(municipalities)}
            case["year"] = rng.randint(2012, 2025)
            case.pop("partner_buyers", None)
            out.write(json.dumps(case, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="delbar-bench-"))
    # Production settings (cached templates, manifest static files), minus the HTTPS redirect.
    os.environ.update(DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0",
                      STATIC_ROOT=str(work / "static"))
    os.environ["DELBAR_DATA_DIR"] = str(work)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "delbar.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # As in Django's own test runner: keep one connection, so queries can be counted across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("collectstatic", interactive=False, verbosity=0)
    vendor = connection.vendor
    created_db = None
    if vendor == "postgresql":
        created_db = _fresh_postgres_database(settings)
    call_command("migrate", verbosity=0)

    from delbar.cases.interchange import export_cases, import_cases
    from delbar.cases.models import Case
    from delbar.orgs.models import Organization

    source = work / "cases.jsonl"
    numbers = list(Organization.objects.municipalities().values_list("municipality_number", flat=True))
    generate(source, args.cases, numbers)
    rows = []
    started = time.perf_counter()
    with source.open(encoding="utf-8") as stream:
        import_cases(stream)
    first = time.perf_counter() - started
    rows.append(("import, first run", f"{args.cases / first:,.0f} cases/s", f"{first:.1f} s"))
    started = time.perf_counter()
    with source.open(encoding="utf-8") as stream:
        report = import_cases(stream)
    again = time.perf_counter() - started
    assert report.unchanged == args.cases, report
    rows.append(("import, same file again", f"{args.cases / again:,.0f} cases/s", f"{again:.1f} s"))
    started = time.perf_counter()
    with (work / "export.jsonl").open("w", encoding="utf-8") as stream:
        export_cases(stream)
    exported = time.perf_counter() - started
    rows.append(("export", f"{args.cases / exported:,.0f} cases/s", f"{exported:.1f} s"))

    if vendor == "postgresql":
        # A live database has statistics (autovacuum); a bulk load seconds old does not yet.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    case = Case.objects.published().order_by("pk")[args.cases // 2]
    pages = [
        ("home", "/"),
        ("case list", "/cases/"),
        ("case list, sector + county", "/cases/?sector=helse-omsorg&county=46"),
        ("case list, page 50", "/cases/?page=50"),
        ("case list, words", "/cases/?q=robot+tunnel"),
        ("case page", case.get_absolute_url()),
        ("API list", "/api/cases"),
        ("API list, filtered", "/api/cases?sector=samferdsel&outcome=failed"),
        ("API case", f"/api/cases/{case.pk}"),
    ]
    client = Client()
    latency_rows = []
    for name, url in pages:
        client.get(url)  # warm caches and templates
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        query_count = len(queries)  # now: each request empties the query log
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        latency_rows.append((name, query_count, percentile(timings, 0.5), percentile(timings, 0.95),
                             percentile(timings, 0.99), statistics.mean(timings)))

    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, Django {django.get_version()}, {vendor}")
    lines = [f"# bench_cases: {args.cases:,} cases on {vendor}", "", f"Machine: {machine}  ",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.requests} requests per page", "",
             "| step | rate | time |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "| page | queries | p50 ms | p95 ms | p99 ms | mean ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {q} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {mean:.1f} |"
              for n, q, p50, p95, p99, mean in latency_rows]
    text = "\n".join(lines) + "\n"
    print(text)
    out = REPO / "bench" / "results" / f"cases-{vendor}.md"
    out.write_text(text, encoding="utf-8")
    print(f"written to {out.relative_to(REPO)}")
    if created_db:
        connection.close()
        _drop_postgres_database(settings, created_db)


def _fresh_postgres_database(settings):
    import psycopg

    name = settings.DATABASES["default"]["NAME"]
    params = {k: settings.DATABASES["default"][k] for k in ("HOST", "PORT", "USER") if settings.DATABASES["default"][k]}
    with psycopg.connect(dbname="postgres", host=params.get("HOST"), port=params.get("PORT"),
                         user=params.get("USER"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_postgres_database(settings, name):
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(dbname="postgres", host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
