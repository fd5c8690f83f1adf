"""The load test: Locust against the local production topology (devtools/topology.py), as issue 18 asks:
50 users for 5 minutes over the main pages, search, need posting and the API; under 1 % failures and
p95 under 800 ms.

1. A fresh database (PostgreSQL unless DATABASE_URL names SQLite): the demo data, --cases published
   cases made from the demo's (bench_cases.py's generator) and --notices notices made from the demo's
   real Doffin notices (bench_notices.py's), every vector embedded and the task queue worked empty
   before the run, so the run measures the load and not the seeding. Load-test buyers (editors of
   municipalities with an authenticator app) and API tokens are made here too.
2. The topology: gunicorn (deploy/gunicorn.conf.py, --web-workers) and --task-workers task workers,
   Redis at 127.0.0.1:6379 as the shared cache (its own key prefix). The API's throttles are raised
   for the run (every simulated client comes from 127.0.0.1; the throttles are tested in tests/).
3. Locust headless (bench/locustfile.py): the user mix there, spawned at --spawn-rate a second.
4. Results: a table per request kind (requests, failures, p50/p95/p99, requests/s) and the total, the
   memory of each process, the task queue after the run, written to results/load-<database>.md; each
   run is compared with the baseline results/load-baseline-<database>.json (p95 and failure rate per
   request kind; more than 20 % worse is a regression). --save-baseline replaces the baseline; the first
   run writes it. The exit status is 1 when a target is missed or a regression is found.

    .venv/bin/python bench/bench_load.py                                  # 50 users, 5 minutes, PostgreSQL
    .venv/bin/python bench/bench_load.py --users 5 --minutes 0.5 --cases 200 --notices 60   # a quick run
    DATABASE_URL=sqlite:////tmp/load.sqlite3 .venv/bin/python bench/bench_load.py
"""

import argparse
import csv
import io
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, drop_database, write_results

from devtools.topology import STATIC_ROOT, Topology, group_members

RESULTS = REPO / "bench" / "results"
QUERIES = REPO.parent / "shared" / "eval" / "dev" / "queries.jsonl"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/delbar_bench_load"
REDIS = "redis://127.0.0.1:6379/0"
TARGET_FAILURES_PERCENT = 1.0
TARGET_P95_MS = 800
# A request kind's p95 or failure rate more than 20 % above the baseline's is a regression; a failure
# rate must also rise by at least 0.1 point, so 0.01 % against 0 % is not one.
REGRESSION = 1.2
FAILURE_FLOOR_POINTS = 0.1
BUYERS = 50
TOKENS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started a second")
    parser.add_argument("--cases", type=int, default=1000, help="published cases besides the demo's")
    parser.add_argument("--notices", type=int, default=300, help="notices besides the demo's")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--save-baseline", action="store_true", help="make this run the baseline")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="delbar-load-"))
    database_url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    started = time.perf_counter()
    data = seed(work, args)
    seeded = time.perf_counter() - started
    print(f"seeded in {seeded:.0f} s", flush=True)
    (work / "load-data.json").write_text(json.dumps(data), encoding="utf-8")
    env = {"DELBAR_API_ANONYMOUS_RATE": "1000000/m", "DELBAR_API_TOKEN_RATE": "1000000/m",
           "CACHE_KEY_PREFIX": f"delbar-load-{secrets.token_hex(4)}", "DELBAR_SESSIONS": "cached_db"}
    load_before = os.getloadavg()
    try:
        with Topology(database_url, cache_url=REDIS, web_workers=args.web_workers, task_workers=args.task_workers,
                      data_dir=work / "topology", env=env) as topology:
            run_started = time.time()
            stats, failures = run_locust(topology.url, work, args)
            memory = process_memory(topology)
            queue = drain_queue(run_started)
        load_after = os.getloadavg()
        report(args, stats, failures, memory, queue, seeded, data, load_before, load_after)
    finally:
        drop_database()
        shutil.rmtree(work, ignore_errors=True)


# --- 1. the data ---

def seed(work: Path, args) -> dict:
    os.environ.update(DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0",
                      DELBAR_DATA_DIR=str(work / "topology"), STATIC_ROOT=str(STATIC_ROOT),
                      DELBAR_TASKS_BACKEND="database", DJANGO_SETTINGS_MODULE="delbar.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        fresh_postgres_database()
    step("the demo data", lambda: call_command("demo", stdout=io.StringIO()))
    step(f"{args.cases} cases", lambda: import_cases(work, args.cases))
    step(f"{args.notices} notices", lambda: import_notices(work, args.notices))
    step("the task queue worked empty (vectors, match refreshes)", lambda: call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0))
    data = step("load-test buyers and tokens", load_users)
    from common import analyze

    analyze()
    connection.close()
    return data


def step(name: str, function):
    began = time.perf_counter()
    result = function()
    print(f"  {name}: {time.perf_counter() - began:.0f} s", flush=True)
    return result


def fresh_postgres_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(dbname="postgres", host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def import_cases(work: Path, count: int) -> None:
    from bench_cases import generate

    from delbar.cases.interchange import import_cases
    from delbar.orgs.models import Organization

    source = work / "cases.jsonl"
    generate(source, count, list(Organization.objects.municipalities().values_list("municipality_number", flat=True)))
    with source.open(encoding="utf-8") as stream:
        import_cases(stream)


def import_notices(work: Path, count: int) -> None:
    from bench_notices import copies

    from delbar.notices.importing import import_path

    folder = work / "notices"
    folder.mkdir()
    copies(folder, count, "load")
    import_path(folder)


def load_users() -> dict:
    """Editors of municipalities who log in with a password and an authenticator app, as allauth asks of
    editors; API tokens of some of them; and what the users pick from (ids, filters, queries)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from delbar.accounts.models import ApiToken, Membership, Role
    from delbar.cases.models import Case
    from delbar.notices.models import Notice
    from delbar.orgs.models import County, Organization, Sector

    rng = random.Random(18)
    municipalities = list(Organization.objects.municipalities().order_by("pk"))
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # once: the production hasher takes most of a second a password
    buyers, tokens = [], []
    for number in range(BUYERS):
        user = User.objects.create(username=f"load-buyer-{number:02d}", email=f"load-buyer-{number:02d}@example.no",
                                   password=hashed)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Membership.objects.create(user=user, organization=rng.choice(municipalities), role=Role.EDITOR)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        buyers.append({"username": user.username, "password": password, "totp_secret": secret})
        if number < TOKENS:
            tokens.append(ApiToken.issue(user=user, name="load test", scope=ApiToken.Scope.READ)[1])
    queries = [json.loads(line)["text"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {
        "cases": list(Case.objects.published().values_list("pk", flat=True)),
        "notices": list(Notice.objects.values_list("pk", flat=True)),
        "sectors": list(Sector.objects.values_list("pk", flat=True)),
        "counties": list(County.objects.values_list("number", flat=True)),
        "queries": queries,
        "buyers": buyers,
        "tokens": tokens,
    }


# --- 3. the run ---

def run_locust(url: str, work: Path, args) -> tuple[list[dict], list[dict]]:
    prefix = work / "locust"
    seconds = max(1, round(args.minutes * 60))
    command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"), "--headless",
               "--host", url, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
               "--run-time", f"{seconds}s", "--stop-timeout", "30", "--csv", str(prefix), "--only-summary",
               "--loglevel", "WARNING"]
    env = {**os.environ, "DELBAR_LOAD_DATA": str(work / "load-data.json"), "PYTHONPATH": str(REPO)}
    print(f"locust: {args.users} users for {seconds} s against {url}", flush=True)
    # Locust exits with 1 when any request failed; the failures are counted below, not taken from that.
    subprocess.run(command, env=env, check=False, cwd=REPO)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stream:
        stats = list(csv.DictReader(stream))
    with open(f"{prefix}_failures.csv", encoding="utf-8") as stream:
        failures = list(csv.DictReader(stream))
    if not stats or stats[-1]["Name"] != "Aggregated":
        sys.exit(f"locust wrote no results to {prefix}_stats.csv")
    return stats, failures


def process_memory(topology: Topology) -> list[tuple[str, float, float]]:
    """Unique and proportional memory (USS, PSS) of each process at the end of the run, in MB."""
    rows = []
    leaders = [("gunicorn", topology.web), *((f"task worker {i}", w) for i, w in enumerate(topology.workers))]
    for label, leader in leaders:
        for process in group_members(leader):
            info = process.memory_full_info()
            role = ("master" if process.pid == leader.pid else "worker") if label == "gunicorn" else ""
            rows.append((f"{label} {role}".strip(), info.uss / 2**20, info.pss / 2**20))
    return rows


def drain_queue(run_started: float, deadline_seconds: float = 300) -> dict:
    """Waits until the task workers have done what the run queued (matching posted needs), and counts the
    tasks queued since the run started."""
    from datetime import UTC, datetime

    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    began = time.monotonic()
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        if time.monotonic() - began > deadline_seconds:
            break
        time.sleep(0.5)
    since = datetime.fromtimestamp(run_started, tz=UTC)
    counts = {status: DBTaskResult.objects.filter(status=status, enqueued_at__gte=since).count()
              for status in ["READY", "RUNNING", "SUCCESSFUL", "FAILED"]}
    from delbar.needs.models import Need

    posted = Need.objects.filter(title__startswith="Lasttest: ")
    result = {"drained_after_s": time.monotonic() - began, "tasks": counts, "needs_posted": posted.count(),
              "needs_matched": posted.exclude(matched_at=None).count()}
    connection.close()
    return result


# --- 4. the results ---

def row_figures(row: dict) -> dict:
    count = int(row["Request Count"])
    failed = int(row["Failure Count"])
    return {"requests": count, "failures": failed, "failures_pct": 100 * failed / count if count else 0.0,
            "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
            "rps": float(row["Requests/s"])}


def compare(current: dict, baseline: dict) -> list[str]:
    lines, regressions = [], 0
    for name, now in current.items():
        before = baseline.get(name)
        if before is None:
            lines.append(f"| {name} | – | {now['p95']:.0f} | – | {now['failures_pct']:.2f} | new |")
            continue
        slower = now["p95"] > before["p95"] * REGRESSION
        failing = now["failures_pct"] > max(before["failures_pct"] * REGRESSION,
                                            before["failures_pct"] + FAILURE_FLOOR_POINTS)
        verdict = ", ".join(word for word, flag in [("p95 regressed", slower), ("failures regressed", failing)]
                            if flag) or "ok"
        regressions += slower or failing
        lines.append(f"| {name} | {before['p95']:.0f} | {now['p95']:.0f} | {before['failures_pct']:.2f} | "
                     f"{now['failures_pct']:.2f} | {verdict} |")
    return [f"{regressions} regression(s) against the baseline (more than {REGRESSION - 1:.0%} worse).", "",
            "| request | baseline p95 ms | p95 ms | baseline failures % | failures % | |",
            "|---|---|---|---|---|---|", *lines]


def report(args, stats, failures, memory, queue, seeded, data, load_before, load_after) -> None:
    from django.db import connection

    figures = {row["Name"] if row["Name"] != "Aggregated" else "total": row_figures(row) for row in stats}
    kinds = {row["Name"]: row["Type"] for row in stats}
    total = figures["total"]
    met = total["failures_pct"] < TARGET_FAILURES_PERCENT and total["p95"] < TARGET_P95_MS
    lines = [
        f"{args.users} users ({args.spawn_rate:g} started a second) for {args.minutes:g} minutes, Locust "
        f"(bench/locustfile.py: visitors 6, buyers 2, API clients 2) against the local production topology: "
        f"gunicorn with {args.web_workers} workers (deploy/gunicorn.conf.py), {args.task_workers} task workers, "
        f"{connection.vendor}, Redis as the shared cache. Data: the demo's and {args.cases:,} more published cases "
        f"({len(data['cases']):,} in all), {len(data['notices']):,} notices, seeded in {seeded:.0f} s. The "
        f"load generator runs on the same machine. Load average before and after: "
        f"{load_before[0]:.1f}, {load_after[0]:.1f} (other work on the machine counts in it).", "",
        f"Targets: failures under {TARGET_FAILURES_PERCENT:g} % and p95 under {TARGET_P95_MS} ms over all "
        f"requests: **{'met' if met else 'missed'}** ({total['failures_pct']:.2f} %, p95 {total['p95']:.0f} ms).", "",
        "| request | method | requests | failures % | p50 ms | p95 ms | p99 ms | requests/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in figures.items():
        label = f"**{name}**" if name == "total" else name
        lines.append(f"| {label} | {kinds.get(name, '')} | {row['requests']:,} | {row['failures_pct']:.2f} | "
                     f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} | {row['rps']:.1f} |")
    lines += ["", "Locust reports percentiles rounded to two significant digits above 100 ms.", ""]
    if failures:
        lines += ["| failed request | error | times |", "|---|---|---|"]
        lines += [f"| {f['Method']} {f['Name']} | {f['Error'][:160]} | {f['Occurrences']} |" for f in failures]
        lines.append("")
    lines += ["Memory at the end of the run (psutil: USS is the process's own, PSS adds its share of pages "
              "shared with others, such as the code a gunicorn worker shares with the master it was forked "
              "from):", "", "| process | USS MB | PSS MB |", "|---|---|---|"]
    lines += [f"| {name} | {uss:.0f} | {pss:.0f} |" for name, uss, pss in memory]
    tasks = queue["tasks"]
    lines += ["", f"Task queue: {queue['needs_posted']} needs posted during the run, {queue['needs_matched']} of them "
              f"matched by the task workers; the queue was empty {queue['drained_after_s']:.0f} s after the run "
              f"ended (of the tasks queued during the run, {tasks['SUCCESSFUL']} succeeded, {tasks['FAILED']} "
              f"failed, {tasks['READY'] + tasks['RUNNING']} were left).", ""]

    baseline_path = RESULTS / f"load-baseline-{connection.vendor}.json"
    current = {name: {key: row[key] for key in ("p95", "failures_pct", "requests", "rps")}
               for name, row in figures.items()}
    regressions = 0
    if baseline_path.exists():
        baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
        comparison = compare(current, baseline["requests"])
        regressions = int(comparison[0].split()[0])
        lines += [f"Against the baseline of {baseline['run']} ({baseline['users']} users, {baseline['minutes']:g} "
                  f"minutes): {comparison[0]}", "", *comparison[2:], ""]
    write_results("load", "Load test: the production topology under Locust", lines)
    if args.save_baseline or not baseline_path.exists():
        baseline_path.write_text(json.dumps({
            "run": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "users": args.users, "minutes": args.minutes,
            "requests": current}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"baseline written to {baseline_path.relative_to(REPO)}")
    if not met or regressions:
        sys.exit(1)


if __name__ == "__main__":
    main()
