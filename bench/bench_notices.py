"""Notices: parsing per format, the import with embedding left to the task worker, the worker's embedding,
and the peak memory of a large import and export.

1. Parse and extract, per format (eForms, TED XML, OCDS): every notice file of that format in the
   repository (the demo's real Doffin and TED notices and the test fixtures), parsed over and over in
   one process on one core, against the bare parse of the same bytes: lxml's `etree.fromstring` for
   XML, `json.loads` for OCDS (lxml does not read JSON). Target: at least half the bare parse's rate.
2. Import: N notices made from the 60 real Doffin notices (identifiers changed per copy) imported into
   an empty database with `import_path`, each batch of files committed together, search written with
   its embedding left to the worker. Target: at least half the rate of parsing those 60 notices. The
   bench stops if the importer embeds (its `index_many` call must say `embed=False`).
3. The worker: `embed_pending()` embeds those N documents with the real e5 embedder.
4. Peak memory (max RSS), each in a process of its own so the peak is that phase's alone: `delbar
   import` of a folder of --peak-notices more notices, then `delbar export --format ocds` and
   `--format ocds-records` of everything the database holds, beside a process that only starts Django
   (`delbar check`).

    .venv/bin/python bench/bench_notices.py --seconds 2 --import-notices 500 --peak-notices 2000   # a quick run
    .venv/bin/python bench/bench_notices.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delbar_bench .venv/bin/python bench/bench_notices.py
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import REPO, drop_database, setup_django, write_results

DEMO = REPO / "delbar" / "demo" / "notices"
FIXTURES = REPO / "tests" / "fixtures" / "notices"
FORMAT_NAMES = {"eforms": "eForms", "ted-xml": "TED XML", "ocds": "OCDS"}


def documents_by_format() -> dict[str, list[bytes]]:
    """Every notice file in the repository (the XML fragments of parser unit tests left out), by format."""
    from delbar.notices.sources import FORMATS, ParseError, parse

    found: dict[str, list[bytes]] = {name: [] for name in FORMATS}
    for path in sorted(DEMO.rglob("*")) + sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".xml", ".json") or "unit" in path.relative_to(REPO).parts:
            continue
        data = path.read_bytes()
        try:
            notices = parse(data)
        except ParseError:  # an API response kept for the harvesters' tests, not a notice
            continue
        found[notices[0].format].append(data)
    return found


def parse_rate(documents: list[bytes], seconds: float) -> tuple[float, float]:
    """(files/s, notices/s) of parse and extract."""
    from delbar.notices.sources import parse

    files = notices = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for document in documents:
            notices += len(parse(document))
        files += len(documents)
    elapsed = time.perf_counter() - start
    return files / elapsed, notices / elapsed


def bare_rate(documents: list[bytes], seconds: float) -> float:
    """Files/s of reading the same bytes into a tree and nothing more."""
    from lxml import etree

    read = json.loads if documents[0].lstrip()[:1] in (b"{", b"[") else etree.fromstring
    files, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for document in documents:
            read(document)
        files += len(documents)
    return files / (time.perf_counter() - start)


def copies(folder: Path, count: int, prefix: str) -> None:
    """`count` notices made from the 60 real Doffin ones: each copy a notice of its own and, as most real
    notices are, of a procurement of its own (its procedure and the earlier notices it names renamed too,
    or every copy of one notice would join one trail of count/60 notices and one huge OCDS record)."""
    sources = [path.read_bytes() for path in sorted((DEMO / "doffin").glob("*.xml"))]
    for number in range(count):
        own = f"{prefix}{number}-".encode()
        document = re.sub(rb"(<efbc:NoticePublicationID[^>]*>)[^<]*", rb"\1n.a.", sources[number % len(sources)])
        document = re.sub(rb'(<cbc:ID schemeName="notice-id">)', rb"\1" + own, document, count=1)
        document = re.sub(rb"(<cbc:ContractFolderID>)", rb"\1" + own, document)
        document = re.sub(rb"(<cac:NoticeDocumentReference>\s*<cbc:ID[^>]*>)", rb"\1" + own, document)
        (folder / f"{number:06d}.xml").write_bytes(document)


class Refusing:
    """The configured embedder's name (search stores it with each text's hash), and an error if asked to
    embed: the import measured is the one that leaves embedding to the worker."""

    def __init__(self, embedder):
        self.name, self.dimensions = embedder.name, embedder.dimensions

    def embed_passages(self, texts):
        if len(texts):
            sys.exit("The importer embedded the notices itself: index_notices() in delbar/notices/importing.py "
                     "must call search.index_many(current, embed=False) (docs/search.md, queued embedding).")
        return np.zeros((0, self.dimensions), dtype=np.float32)


def import_rate(folder: Path) -> tuple[float, int]:
    from delbar.notices.importing import import_path
    from delbar.search import indexing
    from delbar.search.embedders import get_embedder

    indexing.get_embedder = lambda: Refusing(get_embedder())
    try:
        start = time.perf_counter()
        report = import_path(folder)
        elapsed = time.perf_counter() - start
    finally:
        indexing.get_embedder = get_embedder
    assert report.created == len(list(folder.glob("*.xml"))), report
    return report.created / elapsed, report.created


def embedding_rate() -> tuple[float, int]:
    """Documents/s of the worker's embed_pending() over everything waiting, the model already loaded."""
    from delbar.search import embed_pending
    from delbar.search.embedders import get_embedder

    get_embedder().embed_passages(["Kommunen kjøpte en elektrisk ferje."])  # the worker loads it once
    start = time.perf_counter()
    embedded = embed_pending()
    return embedded / (time.perf_counter() - start), embedded


def waiting() -> int:
    from delbar.search.models import SearchDocument

    return SearchDocument.objects.exclude(wanted_text_hash="").count()


# Starts a command and prints its time and peak. Linux carries a process's peak resident set across fork
# and exec, so a child of this benchmark (Django, the e5 model: 300 MB) would report at least that much;
# a child of this small launcher starts from the launcher's 11 MB.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - start, "max_rss": usage.ru_maxrss * 1024,
                  "exit": os.waitstatus_to_exitcode(status)}))
"""


def own_process(*arguments: str) -> tuple[float, int, str]:
    """Runs `delbar <arguments>` in a process of its own (this checkout's code, this benchmark's database):
    (seconds, that process's max RSS in bytes, what it wrote to standard error)."""
    command = [sys.executable, "-c", LAUNCHER, sys.executable, "-m", "delbar.cli", *arguments]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode or not done.stdout.strip():
        sys.exit(f"delbar {' '.join(arguments)} could not be measured:\n{done.stderr}")
    measured = json.loads(done.stdout)
    if measured["exit"]:
        sys.exit(f"delbar {' '.join(arguments)} failed ({measured['exit']}):\n{done.stderr}")
    return measured["seconds"], measured["max_rss"], done.stderr  # Linux counts ru_maxrss in KiB: converted


def megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each parse measurement runs")
    parser.add_argument("--import-notices", type=int, default=2000, help="notices imported and then embedded")
    parser.add_argument("--peak-notices", type=int, default=100_000,
                        help="notices imported (and exported) while the peak memory is measured")
    args = parser.parse_args()
    work = setup_django("notices")
    from django.conf import settings
    from django.db import connection

    from delbar.notices.models import Notice

    formats = documents_by_format()
    parsing = []
    for name, documents in formats.items():
        if not documents:
            continue
        bare = bare_rate(documents, args.seconds)
        files, notices = parse_rate(documents, args.seconds)
        parsing.append((name, len(documents), bare, files, notices))
    # The import's target is set against parsing the very notices it imports.
    sources_rate, _ = parse_rate([path.read_bytes() for path in sorted((DEMO / "doffin").glob("*.xml"))], args.seconds)

    folder = work / "notices"
    folder.mkdir()
    copies(folder, args.import_notices, "rate")
    imported_rate, imported = import_rate(folder)
    assert waiting() == imported, "every new notice waits for its vector"
    embedded_rate, embedded = embedding_rate()
    assert embedded == imported and waiting() == 0
    shutil.rmtree(folder)

    folder.mkdir()
    copies(folder, args.peak_notices, "peak")
    started, started_rss, _ = own_process("check")
    import_seconds, import_rss, _ = own_process("import", str(folder))
    shutil.rmtree(folder)
    held = Notice.objects.current().count()
    assert held == imported + args.peak_notices, held
    exports = []
    for export_format in ("ocds", "ocds-records"):
        output = work / f"export.{export_format}.json"
        seconds, rss, said = own_process("export", "--format", export_format, "-o", str(output))
        exports.append((export_format, seconds, rss, output.stat().st_size, said.strip().splitlines()[-1]))
        output.unlink()

    vendor = connection.vendor
    threads = settings.SEARCH_EMBEDDER_THREADS or os.cpu_count()
    lines = [
        "Parse and extract in one process on one core: each format's notice files in the repository (the "
        "demo's real Doffin and TED notices and the test fixtures), against the bare parse of the same bytes "
        "(lxml's `etree.fromstring` for XML, `json.loads` for OCDS, which lxml does not read). Target: at "
        "least half the bare parse.",
        "",
        "| format | files | bare parse, files/s | parse and extract, files/s | notices/s | share of the bare parse |",
        "|---|---|---|---|---|---|",
        *(f"| {FORMAT_NAMES[name]} | {count} | {bare:,.0f} | **{files:,.0f}** | {notices:,.0f} | {files / bare:.0%} |"
          for name, count, bare, files, notices in parsing),
        "",
        f"{imported:,} notices made from the 60 real Doffin notices (eForms), imported into an empty {vendor} "
        "database, then embedded by the worker's `embed_pending()` with the real e5 embedder "
        f"({threads} threads). Target for the import: at least half the rate of parsing them.",
        "",
        "| | per second |",
        "|---|---|",
        f"| import, embedding left to the worker (`import_path`) | **{imported_rate:,.1f}** notices "
        f"({imported_rate / sources_rate:.0%} of parsing the same 60 notices, {sources_rate:,.0f}/s) |",
        f"| the worker embedding them (`embed_pending`) | **{embedded_rate:,.1f}** documents |",
        f"| both, one after the other: until every notice is found by meaning | "
        f"{1 / (1 / imported_rate + 1 / embedded_rate):,.1f} notices |",
        "",
        "Peak memory, each measured in a process of its own (the largest resident set it reached):",
        "",
        "| process | notices | seconds | max RSS |",
        "|---|---|---|---|",
        f"| `delbar check` (Django started, nothing else) | – | {started:,.1f} | {megabytes(started_rss)} |",
        f"| `delbar import` of a folder, embedding left to the worker | {args.peak_notices:,} | {import_seconds:,.0f} "
        f"| **{megabytes(import_rss)}** |",
        *(f"| `delbar export --format {name}`: {written}, {megabytes(size)} | {held:,} | {seconds:,.0f} "
          f"| **{megabytes(rss)}** |" for name, seconds, rss, size, written in exports),
        "",
        f"The import ran at {args.peak_notices / import_seconds:,.1f} notices/s, into a database already holding "
        f"the {imported:,} above.",
    ]
    write_results("notices", "Notice parsing, import, embedding and memory", lines)
    drop_database()


if __name__ == "__main__":
    main()
