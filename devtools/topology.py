"""Delbar's production topology on one machine: gunicorn (deploy/gunicorn.conf.py) with N workers and N
task workers, on the database and cache you name, with production settings (DEBUG off, JSON logs, the
database task queue). `./dev prod`, the load test (bench/bench_load.py) and the fault tests run it:

    with Topology("postgres://postgres@127.0.0.1:5432/delbar_prod", cache_url="redis://127.0.0.1:6379/0") as top:
        httpx.get(top.url)          # gunicorn's address
        top.kill_worker(0)          # a task worker dies …
        top.restart_worker(0)       # … and a new one takes its place

The processes are deploy/Procfile's: its `release` command migrates, its `web` command starts gunicorn and
its `worker` command each task worker, as a Procfile platform would run them. Every process runs this
checkout's code (PYTHONPATH is the repository this file is in, PATH starts with this interpreter's
virtual environment) and starts in a process group of its own, so stop() ends it with everything it
started. Logs go to `logs/` in the data folder: web.log (gunicorn's JSON lines and Delbar's) and
worker-<i>.log.

    python -m devtools.topology --database-url postgres://… [--cache-url redis://…] [--port 8000]
"""

import argparse
import contextlib
import fcntl
import hashlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
PROCFILE = REPO / "deploy" / "Procfile"
# What a load balancer asks before sending traffic: 200 unless the database is down (delbar/ops/health.py).
READY_PATH = "/healthz"
# Starting: migrations on an empty PostgreSQL database take about 20 s on a busy 2-core machine; gunicorn
# then answers within seconds. Stopping: gunicorn lets a request finish within its graceful timeout (30 s);
# nothing the tests or the load test leave running takes that long, so KILL follows after 15 s.
START_DEADLINE_SECONDS = 120
STOP_DEADLINE_SECONDS = 15
# Static files are collected once into the checkout's STATIC_ROOT (the settings' default) and collected
# again only when a static source changed: compressing them all takes about a minute on 2 cores.
STATIC_ROOT = REPO / "staticfiles"
STATIC_STAMP = ".delbar-collected"


class TopologyError(RuntimeError):
    """The topology could not start: the message says which step and ends with its output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile(path: Path = PROCFILE) -> dict[str, list[str]]:
    """The Procfile's processes: {name: command}, each command split as a shell would split it."""
    processes = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, separator, command = line.partition(":")
        if not separator or not name.strip().isidentifier() or not command.strip():
            raise TopologyError(f"{path}:{number}: not a `name: command` line: {line!r}")
        processes[name.strip()] = shlex.split(command)
    return processes


def delbar_command(*arguments: str) -> list[str]:
    """`delbar …` with this interpreter, so it runs in the same virtual environment."""
    return [sys.executable, "-m", "delbar.cli", *arguments]


class Topology:
    """gunicorn with `web_workers` workers and `task_workers` task workers on `database_url`.

    `url` is gunicorn's address, `web` its master's Popen, `workers` the task workers' Popens, `logs`
    the folder of their logs. Use it as a context manager, or call start() and stop()."""

    def __init__(self, database_url: str, *, cache_url: str | None = None, web_workers: int = 2,
                 task_workers: int = 2, port: int = 0, data_dir: str | Path | None = None,
                 env: dict[str, str] | None = None):
        self.database_url = database_url
        self.cache_url = cache_url
        self.web_workers = web_workers
        self.task_workers = task_workers
        self.port = port or free_port()
        self._own_data_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="delbar-topology-")).resolve()
        self.logs = self.data_dir / "logs"
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = self._environment(env or {})
        self.processes = procfile()
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(
            PYTHONPATH=str(REPO),
            # The Procfile names its programs (gunicorn, delbar) as a platform's PATH finds them.
            PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]),
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(48),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=self.url,
            SECURE_SSL_REDIRECT="0",
            DELBAR_SECURE_COOKIES="0",
            LOG_FORMAT="json",
            DELBAR_TASKS_BACKEND="database",
            DATABASE_URL=self.database_url,
            DELBAR_DATA_DIR=str(self.data_dir),
            STATIC_ROOT=str(STATIC_ROOT),
            DELBAR_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(self.web_workers),
            # Each task worker embeds with one thread, beside the web workers on the same cores.
            DELBAR_SEARCH_EMBEDDER_THREADS="1",
        )
        if self.cache_url:
            env["CACHE_URL"] = self.cache_url
        env.update(extra)
        return env

    # --- starting and stopping ---

    def __enter__(self) -> "Topology":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            self._release()
            self._collect_static()
            self.web = self._spawn(self.processes["web"], "web.log")
            self.workers = [self._spawn_worker(index) for index in range(self.task_workers)]
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """TERM to every process group, KILL to what is left of them after STOP_DEADLINE_SECONDS."""
        processes = [process for process in [self.web, *self.workers] if process is not None]
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_DEADLINE_SECONDS
        for process in processes:
            _end(process, deadline)
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def run(self, *arguments: str, timeout: float = 600) -> str:
        """Runs `delbar <arguments>` with the topology's settings; returns its output, raises if it fails."""
        return self._run(delbar_command(*arguments), f"delbar {' '.join(arguments)}", timeout)

    def _run(self, command: list[str], name: str, timeout: float = 600) -> str:
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise TopologyError(f"{name} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return done.stdout

    # --- the task workers ---

    def kill_worker(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` to task worker `index` (its whole process group); it is not replaced."""
        _signal_group(self.workers[index], sig)

    def restart_worker(self, index: int) -> subprocess.Popen:
        """Stops task worker `index` (TERM, KILL after the deadline) if it still runs, and starts a new one
        in its place."""
        old = self.workers[index]
        _signal_group(old, signal.SIGTERM)
        _end(old, time.monotonic() + STOP_DEADLINE_SECONDS)
        self.workers[index] = self._spawn_worker(index)
        return self.workers[index]

    # --- inside ---

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.logs / log_name, "ab")  # noqa: SIM115 - the child holds it; closed below
        try:
            return subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()

    def _spawn_worker(self, index: int) -> subprocess.Popen:
        return self._spawn(self.processes["worker"], f"worker-{index}.log")

    def _release(self) -> None:
        self._run(self.processes["release"], f"the Procfile's release ({shlex.join(self.processes['release'])})")

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        last = "no answer yet"
        while time.monotonic() < deadline:
            for log_name, process in [("web.log", self.web),
                                      *((f"worker-{i}.log", w) for i, w in enumerate(self.workers))]:
                if process.poll() is not None:
                    raise TopologyError(f"{log_name.removesuffix('.log')} exited with {process.returncode} while "
                                        f"starting; its log:\n{self.log_tail(log_name)}")
            try:
                with urllib.request.urlopen(self.url + READY_PATH, timeout=5) as response:
                    if response.status == 200:
                        return
                    last = f"HTTP {response.status}"
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}"
            except OSError as error:
                last = str(error)
            time.sleep(0.2)
        raise TopologyError(f"{self.url}{READY_PATH} did not answer 200 within {START_DEADLINE_SECONDS} s "
                            f"({last}); gunicorn's log:\n{self.log_tail('web.log')}")

    def log_tail(self, name: str, characters: int = 4000) -> str:
        path = self.logs / name
        return path.read_text(errors="replace")[-characters:] if path.exists() else "(no log)"

    def _collect_static(self) -> None:
        """collectstatic, unless STATIC_ROOT already holds what the static sources are now. A lock keeps two
        topologies starting at once (the test suite's two workers) from collecting into it together."""
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        stamp = STATIC_ROOT / STATIC_STAMP
        checkout = hashlib.sha256(bytes(STATIC_ROOT)).hexdigest()[:12]
        with open(Path(tempfile.gettempdir()) / f"delbar-static-{checkout}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            fingerprint = self.run("shell", "-c", FINGERPRINT_SCRIPT).strip()
            if stamp.exists() and stamp.read_text() == fingerprint:
                return
            self.run("collectstatic", "--noinput", "--clear", "-v", "0")
            stamp.write_text(fingerprint)


# Every file the static finders would collect, by path, size and modification time: a change to any of
# them (an app's own static file, an npm or PyPI package's) changes the fingerprint.
FINGERPRINT_SCRIPT = """
import hashlib, os
from django.contrib.staticfiles import finders
digest = hashlib.sha256()
for finder in finders.get_finders():
    for path, storage in finder.list([]):
        stat = os.stat(storage.path(path))
        digest.update(f"{getattr(storage, 'prefix', '') or ''}/{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
print(digest.hexdigest())
"""


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    # start_new_session: the group's id is its leader's pid, held until the leader is reaped, so it
    # cannot name another group while `process` has not been waited for.
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)


def group_members(process: subprocess.Popen) -> list[psutil.Process]:
    """The live (not zombie) processes of the group `process` leads: it and whatever it started."""
    members = []
    for candidate in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(candidate.pid) == process.pid and candidate.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(candidate)
    return members


def _end(process: subprocess.Popen, deadline: float) -> None:
    """Waits until the group `process` leads has ended (after a TERM), KILLs what is left of it at the
    deadline, and reaps the leader."""
    if process.returncode is None:
        while time.monotonic() < deadline and group_members(process):
            time.sleep(0.1)
        _signal_group(process, signal.SIGKILL)
    process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.topology", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… or sqlite:////path")
    parser.add_argument("--cache-url", help="redis://127.0.0.1:6379/0 (without: each process's memory)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", help="media, search graph and logs (default: a temporary folder)")
    args = parser.parse_args()
    stopped = False

    def interrupted(signum, frame):
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    topology = Topology(args.database_url, cache_url=args.cache_url, web_workers=args.web_workers,
                        task_workers=args.task_workers, port=args.port, data_dir=args.data_dir)
    try:
        topology.start()
    except TopologyError as error:
        sys.exit(f"topology: {error}")
    print(f"Delbar runs at {topology.url}/ with {args.web_workers} gunicorn workers and {args.task_workers} task "
          f"workers (logs in {topology.logs}); Ctrl-C stops it.", flush=True)
    failed = None
    try:
        while not stopped and failed is None:
            for name, process in [("gunicorn", topology.web), *(("a task worker", w) for w in topology.workers)]:
                if process.poll() is not None:
                    failed = f"{name} exited with {process.returncode}; stopped (logs in {topology.logs})."
            time.sleep(0.5)
    finally:
        topology.stop()
    if failed:
        sys.exit(f"topology: {failed}")


if __name__ == "__main__":
    main()
