"""The kill test: an import of a large folder, killed at random points and restarted, ends with every
notice present exactly once and every current notice in search. It runs `delbar import` as a real
process against its own database (a file on SQLite, a fresh database on PostgreSQL)."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.notice_files import DOFFIN

NOTICES_PER_FILE = 4
DELBAR = [sys.executable, "-m", "django"]


def _folder(tmp_path: Path) -> tuple[Path, int]:
    """Each real Doffin notice four times over, each copy its own notice (identifier changed)."""
    folder = tmp_path / "notices"
    folder.mkdir()
    count = 0
    for path in sorted(DOFFIN.glob("*.xml")):
        document = path.read_bytes()
        document = re.sub(rb"(<efbc:NoticePublicationID[^>]*>)[^<]*", rb"\1n.a.", document)
        for copy in range(NOTICES_PER_FILE):
            changed = re.sub(rb'(<cbc:ID schemeName="notice-id">)([^<]*)', rb"\1" + f"kill{copy}-".encode() + rb"\2",
                             document, count=1)
            (folder / f"{copy}-{path.name}").write_bytes(changed)
            count += 1
    return folder, count




def _environment(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "delbar.settings",
            "DELBAR_TASKS_BACKEND": "immediate",
            # Small batches, so a kill can land between two commits and not only in the search writing after one.
            "DELBAR_NOTICE_IMPORT_BATCH": "8"}


COUNT = """
import json
from delbar.notices.models import Notice
from delbar.search.models import SearchDocument
print(json.dumps({"notices": Notice.objects.count(), "keys": Notice.objects.values("key").distinct().count(),
                  "searchable": SearchDocument.objects.filter(kind="notice", removed=False).count()}))
"""


def _counts(environment) -> dict:
    output = subprocess.run([*DELBAR, "shell", "-c", COUNT], env=environment, capture_output=True, text=True,
                            check=True, timeout=120).stdout
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.long
def test_an_import_killed_at_random_points_ends_with_every_notice_once(tmp_path, own_database):
    folder, expected = _folder(tmp_path)
    environment = _environment(own_database)
    subprocess.run([*DELBAR, "migrate", "-v", "0"], env=environment, check=True, timeout=300)
    rng = random.Random(5)
    seen_partial = []
    for _ in range(4):
        process = subprocess.Popen([*DELBAR, "import", str(folder)], env=environment,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(3.0, 9.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        counts = _counts(environment)
        assert counts["notices"] == counts["keys"] <= expected
        seen_partial.append(counts["notices"])
    finished = subprocess.run([*DELBAR, "import", str(folder)], env=environment, capture_output=True, text=True,
                              timeout=900)
    assert finished.returncode == 0, finished.stderr[-2000:]
    counts = _counts(environment)
    assert counts == {"notices": expected, "keys": expected, "searchable": expected}
    # The kills landed part-way at least once (not all before the first notice, nor after the last).
    assert any(0 < count < expected for count in seen_partial), seen_partial
