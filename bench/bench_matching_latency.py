"""Matching cost at national scale: N generated case documents (as bench_search_latency.py makes
them: SAMPLE embedded for real, the rest derived) and NEEDS open needs posted by municipalities.

1. Posting a need: create_need with its matches computed in the same request (cases, other needs,
   solutions), p50/p95 over the needs — what the buyer waits for after "Post the need".
2. Posting a need from its page: create_need(match="later") and the commit that queues its matching
   (the task queue is the database's, as in production) — what the buyer waits for before the page
   shows; the matches then arrive as (1) computes them. p50/p95 over PAGE_NEEDS needs.
3. A changed case reaching open needs: refresh_near("case", [id]) — the background task run after
   each published or edited case — p50/p95 over 20 cases, and how many needs it recomputed.

    .venv/bin/python bench/bench_matching_latency.py --documents 200000 --needs 500

With --keep FOLDER, the case documents that `bench_search_latency.py --keep FOLDER` built there are
used instead of being built again (the needs this run posts stay there too: keep such a folder for one
matching run).
"""

import argparse
import json
import random
import time
from pathlib import Path

from bench_search_latency import DerivedEmbedder, install_bench_kind, load
from common import REPO, analyze, drop_database, percentile, setup_django, write_results

EVAL = REPO.parent / "shared" / "eval" / "dev"
PAGE_NEEDS = 50


def need_texts(count: int) -> list[tuple[str, str]]:
    """The dev queries written as needs, then generated topic titles turned into needs."""
    queries = [json.loads(line)["text"] for line in (EVAL / "queries.jsonl").read_text().splitlines() if line]
    cases = [json.loads(line) for line in (EVAL / "cases.jsonl").read_text().splitlines() if line]
    texts = [(text.split(". ")[0][:200], text) for text in queries]
    texts += [(case["title"], case["need"]) for case in cases]
    rng = random.Random(3)
    while len(texts) < count:
        title, description = rng.choice(texts[:len(queries) + len(cases)])
        texts.append((f"{title} ({len(texts)})", description))
    return texts[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--reuse-embeddings", action="store_true")
    parser.add_argument("--keep", type=Path, metavar="FOLDER",
                        help="use the documents bench_search_latency.py --keep FOLDER built (no need posted there yet)")
    args = parser.parse_args()
    setup_django("matching-latency", keep=args.keep)
    from django.db import connection, transaction

    from delbar.needs import actions, matching
    from delbar.needs.models import Need
    from delbar.orgs.models import Organization
    from delbar.search.calibration import calibration
    from delbar.search.vectors import vector_index

    embedder = DerivedEmbedder()
    if args.reuse_embeddings:
        embedder.cache_path = REPO / "var" / "bench-sample-vectors.npz"
    install_bench_kind(embedder)
    from delbar.search.models import SearchDocument

    built = SearchDocument.objects.filter(kind="case").count()
    if args.keep and (built != args.documents or Need.objects.exists()):
        raise SystemExit(f"{args.keep} holds {built:,} case documents (not {args.documents:,}) or needs already")
    if not built:
        print(f"indexing {args.documents:,} documents on {connection.vendor} …", flush=True)
        load(args.documents, embedder)
    analyze()
    vector_index(embedder.dimensions)

    municipalities = list(Organization.objects.municipalities().order_by("municipality_number"))
    posting = []
    needs = []
    for number, (title, description) in enumerate(need_texts(args.needs)):
        started = time.perf_counter()
        needs.append(actions.create_need(actor=None, organization=municipalities[number % len(municipalities)],
                                         fields={"title": title, "description": description}))
        posting.append((time.perf_counter() - started) * 1000)
        if number % 100 == 99:
            print(f"  {number + 1} needs posted", flush=True)
    analyze()

    refresh, recomputed = [], []
    rng = random.Random(5)
    for case_id in rng.sample(range(1, args.documents + 1), 20):
        started = time.perf_counter()
        recomputed.append(len(matching.refresh_near("case", [case_id])))
        refresh.append((time.perf_counter() - started) * 1000)

    page = []
    for number, (title, description) in enumerate(need_texts(PAGE_NEEDS)):
        started = time.perf_counter()
        with transaction.atomic():
            actions.create_need(actor=None, organization=municipalities[number % len(municipalities)],
                                fields={"title": f"{title} (page)", "description": description}, match="later")
        page.append((time.perf_counter() - started) * 1000)

    def row(name, timings):
        return f"| {name} | {percentile(timings, 0.5):.1f} | {percentile(timings, 0.95):.1f} | {max(timings):.1f} |"

    lines = [f"{args.documents:,} case documents ({connection.vendor}), {args.needs} open needs posted by "
             f"{min(args.needs, len(municipalities))} municipalities; needs are embedded for real.", "",
             "| ms | p50 | p95 | max |", "|---|---|---|---|",
             row("post a need: save, index, embed and compute its matches", posting),
             row("post a need from its page: save, index, embed, queue its matching", page),
             row("a changed case reaching open needs (the background refresh)", refresh), "",
             f"The refresh recomputed {sum(recomputed) / len(recomputed):.1f} needs a case on average "
             f"(max {max(recomputed)}): those it could enter (as close as their weakest case match, less "
             f"{calibration().refresh_slack}), each for its case matches only."]
    size = f"{args.documents // 1000}k" if args.documents >= 1000 else str(args.documents)
    write_results(f"matching-latency-{size}", "bench_matching_latency: matching at scale", lines)
    drop_database()


if __name__ == "__main__":
    main()
