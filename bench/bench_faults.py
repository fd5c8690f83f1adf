"""The fault drills at full length, with their figures in bench/results/faults.md:

1. SQLite's writer killed with SIGKILL at random 50 times (tests/test_faults_sqlite.py runs the same);
2. a task worker killed mid-task 20 times, on SQLite and on PostgreSQL (the test runs 4);
3. PostgreSQL restarted under load 5 times, then once while idle (the test restarts once of each);
4. the backup and restore drill on the demo data, on SQLite and on PostgreSQL, through the operator's
   own commands (`delbar backup`, `delbar restore`), timed.

PostgreSQL is always a throw-away cluster this script starts (initdb, pg_ctl) in a temporary folder,
never the machine's shared server. Redis's fault has no figure beyond its test's outcome
(tests/test_faults_redis.py). Run: .venv/bin/python bench/bench_faults.py [--quick]"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import test_faults_postgres as pg_faults  # noqa: E402
from tests import test_faults_sqlite as sqlite_faults  # noqa: E402
from tests import test_faults_worker as worker_faults  # noqa: E402


def machine() -> str:
    import platform

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def sqlite_kills(count: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="delbar-faults-sqlite-") as work:
        started = time.monotonic()
        outcome = sqlite_faults.run_kills(Path(work), count, seed=1)
        took = time.monotonic() - started
    ok = not (outcome.integrity_failures or outcome.missing or outcome.partial)
    return ["## SQLite writer killed with SIGKILL", "",
            "| kills | acknowledged transactions | missing | partial | integrity_check failures | journal, synchronous "
            "| took |", "|---|---|---|---|---|---|---|",
            f"| {outcome.kills} | {outcome.acknowledged} | {len(outcome.missing)} | {len(outcome.partial)} | "
            f"{len(outcome.integrity_failures)} | {', '.join('/'.join(p) for p in outcome.pragmas)} | "
            f"{took:.0f} s |", "",
            f"Every acknowledged commit present after every kill: {'yes' if ok else 'NO'}. WAL with synchronous=NORMAL "
            "is durable against a process crash (shown here), not against a power cut.", ""]


def worker_kills(count: int, engine: str, cluster_url: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="delbar-faults-worker-") as work:
        database_url = (f"sqlite:///{work}/faults.sqlite3" if engine == "sqlite"
                        else worker_faults.create_postgres_database(cluster_url, "delbar_faults_worker"))
        outcome = worker_faults.run_kills(Path(work), database_url, count, seed=2)
    recovery = sorted(outcome.recovery_seconds)
    return [f"| {engine} | {outcome.kills} ({outcome.kills_mid_task} mid-task) | {dict(outcome.tasks)} | "
            f"{outcome.delivered}/{outcome.expected} | {outcome.duplicates} | {outcome.lost} | "
            f"{statistics.median(recovery):.1f} s / {recovery[-1]:.1f} s |"]


def postgres_restarts(cluster, count: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="delbar-faults-gunicorn-") as work:
        work = Path(work)
        env = pg_faults.delbar_env(work, cluster.url)
        subprocess.run([sys.executable, "-m", "delbar.cli", "migrate", "-v0"], env=env, cwd=work, check=True)
        port = pg_faults.free_port()
        server = pg_faults.start_gunicorn(work, env, port)
        try:
            restarts = [pg_faults.restart_under_load(cluster, port) for _ in range(count)]
            quiet = pg_faults.quiet_restart(cluster, port)
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = ["## PostgreSQL restarted under load", "",
             "gunicorn with 2 workers (CONN_MAX_AGE 60 s, health checks on), one client sending `GET /cases/` "
             "one after another; `pg_ctl restart -m fast` on the throw-away cluster. Down: from the restart command "
             "to pg_isready answering (pg_ctl -w waits for the server itself). Recovery: from the restart command to "
             "the first request that answered 200 after it.", "",
             "| restart | requests | failed while down | failed after back | down | recovery |",
             "|---|---|---|---|---|---|"]
    for number, restart in enumerate(restarts, 1):
        lines.append(f"| {number} | {restart.requests} | {restart.failed_during} | {len(restart.failed_after_back)} | "
                     f"{restart.down_seconds:.2f} s | {restart.recovery_seconds:.2f} s |")
    lines += ["", f"Restarted while idle (every worker holding a connection the restart closed), then "
              f"{pg_faults.AFTER_BACK} requests: {len(quiet)} failed.", ""]
    return lines


def drill(engine: str, database_url: str) -> list[str]:
    """The operator's routine on the demo data: backup, restore into a new database, check."""
    with tempfile.TemporaryDirectory(prefix="delbar-faults-drill-") as work:
        work = Path(work)
        env = {**os.environ, "PYTHONPATH": str(REPO), "DEBUG": "1", "DATABASE_URL": database_url,
               "DELBAR_DATA_DIR": str(work / "data"), "DELBAR_TASKS_BACKEND": "immediate", "LOG_LEVEL": "ERROR"}

        def delbar(*args) -> tuple[float, str]:
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "delbar.cli", *args], env=env, cwd=work,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"delbar {' '.join(args)} failed: {done.stderr[-2000:]}")
            return time.monotonic() - started, done.stdout.strip().splitlines()[-1]

        delbar("demo")
        backup_took, backed_up = delbar("backup", str(work / "backups"))
        folder = Path(backed_up.split(":", 1)[0])
        size = sum(path.stat().st_size for path in folder.iterdir())
        target = (f"sqlite:///{work / 'restored.sqlite3'}" if engine == "sqlite"
                  else database_url.rsplit("/", 1)[0] + "/delbar_restored")
        restore_took, restored = delbar("restore", str(folder), "--database-url", target,
                                        "--media-root", str(work / "restored-media"))
    return [f"| {engine} | {backed_up.split(': ', 1)[1]} | {size / 1e6:.1f} MB | {backup_took:.1f} s | "
            f"{restore_took:.1f} s | {restored} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-kills", type=int, default=50)
    parser.add_argument("--worker-kills", type=int, default=20)
    parser.add_argument("--pg-restarts", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the tests' counts, to try the script out")
    args = parser.parse_args()
    if args.quick:
        args.sqlite_kills, args.worker_kills, args.pg_restarts = 10, 2, 1
    lines = sqlite_kills(args.sqlite_kills)
    cluster = pg_faults.Cluster()
    try:
        cluster.start()
        lines += ["## A task worker killed mid-task", "",
                  "`delbar worker` killed with SIGKILL while it runs the alerts digest or the dialogue reminders "
                  "(12 people a round, each due one digest and one reminder), then started again; a kill lands "
                  "after a random number of the round's e-mails are out. Lost: e-mails whose worker died between "
                  "the claim's commit and the mail server's acceptance (at most once: never sent twice). Recovery: "
                  "from the kill to both tasks done, including the new worker's start.", "",
                  "| database | kills | tasks | e-mails out | sent twice | lost | recovery median / max |",
                  "|---|---|---|---|---|---|---|"]
        lines += worker_kills(args.worker_kills, "sqlite", cluster.url)
        lines += worker_kills(args.worker_kills, "postgresql", cluster.url)
        lines.append("")
        lines += postgres_restarts(cluster, args.pg_restarts)
        lines += ["## Backup and restore drill", "",
                  "The demo data (`delbar demo`), `delbar backup`, then `delbar restore` into a new database and a "
                  "new documents folder, which checks every table's row count and content checksum and every "
                  "document's SHA-256 against the manifest.", "",
                  "| database | backed up | backup size | backup took | restore and check took | restore said |",
                  "|---|---|---|---|---|---|"]
        with tempfile.TemporaryDirectory(prefix="delbar-faults-drill-db-") as work:
            lines += drill("sqlite", f"sqlite:///{work}/demo.sqlite3")
        lines += drill("postgresql", worker_faults.create_postgres_database(cluster.url, "delbar_drill"))
    finally:
        cluster.stop()
    text = "\n".join(["# Faults", "", f"Machine: {machine()}  ",
                      f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (`.venv/bin/python "
                      f"bench/bench_faults.py{' --quick' if args.quick else ''}`)", "", *lines]) + "\n"
    print(text)
    (REPO / "bench" / "results" / "faults.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
