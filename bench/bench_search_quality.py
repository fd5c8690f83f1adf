"""Search quality on the dev evaluation set (../shared/eval/dev): nDCG@10, recall@20 of the cases
graded 2 or 3, and MRR, for lexical only, semantic only and hybrid, overall and per query style.

Then whether results should be shown at all (the relevance floor, docs/search.md): how many queries
about nothing in the corpus (bench/eval/null_queries.jsonl) get no result, and how many get more
than 3; that every dev query still gets results; the share of grade-3 cases among the results; and
the precision of the first screen (share of the first 10 results graded ≥ 1).

Loads the set's cases with `delbar import` into a fresh database and runs each query through
delbar.search.engine.search, the code path of the web page and the API.
"""

import argparse
import collections
import json
import math
import statistics
from pathlib import Path

from common import REPO, drop_database, setup_django, write_results

EVAL = REPO.parent / "shared" / "eval" / "dev"
NULL_QUERIES = REPO / "bench" / "eval" / "null_queries.jsonl"
FIRST_SCREEN = 10


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    gain = sum((2 ** grades.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return gain / best if best else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = 20) -> float:
    wanted = {doc for doc, grade in grades.items() if grade >= 2}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 1.0


def reciprocal_rank(ranked: list[str], grades: dict[str, int]) -> float:
    return next((1 / (rank + 1) for rank, doc in enumerate(ranked) if grades.get(doc, 0) > 0), 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=EVAL, help="folder with cases.jsonl, queries.jsonl, qrels.tsv")
    parser.add_argument("--null-queries", type=Path, default=NULL_QUERIES, help="queries about nothing in the set")
    args = parser.parse_args()
    setup_django("quality")
    from django.core.management import call_command

    from delbar.search.engine import MODES, search

    call_command("import", str(args.eval / "cases.jsonl"))
    queries = [json.loads(line) for line in (args.eval / "queries.jsonl").read_text().splitlines() if line]
    grades = collections.defaultdict(dict)
    for line in (args.eval / "qrels.tsv").read_text().splitlines():
        query_id, case_id, grade = line.split("\t")
        grades[query_id][case_id] = int(grade)

    scores = {mode: collections.defaultdict(list) for mode in MODES}
    for query in queries:
        for mode in MODES:
            ranked = [hit.id for hit in search(query["text"], mode=mode).shown()]
            values = (ndcg(ranked, grades[query["id"]]), recall(ranked, grades[query["id"]]),
                      reciprocal_rank(ranked, grades[query["id"]]))
            scores[mode]["all"].append(values)
            scores[mode][query["style"]].append(values)

    floor_lines = floor_report(queries, grades, args.null_queries, search)
    styles = sorted({query["style"] for query in queries})
    lines = [f"{len(queries)} queries, {sum(len(g) for g in grades.values())} judgments, "
             f"cases loaded with `delbar import`.", "",
             "| ranking | nDCG@10 | recall@20 (grade ≥ 2) | MRR | " + " | ".join(f"nDCG@10 {s}" for s in styles) + " |",
             "|---" * (4 + len(styles)) + "|"]
    for mode in MODES:
        overall = [statistics.mean(column) for column in zip(*scores[mode]["all"], strict=True)]
        per_style = [statistics.mean(values[0] for values in scores[mode][style]) for style in styles]
        lines.append(f"| {mode} | {overall[0]:.3f} | {overall[1]:.3f} | {overall[2]:.3f} | "
                     + " | ".join(f"{value:.3f}" for value in per_style) + " |")
    lines += ["", *floor_lines]
    write_results("search-quality", "bench_search_quality: the dev evaluation set", lines)
    drop_database()


def floor_report(queries, grades, null_path: Path, search) -> list[str]:
    """What the relevance floor shows and hides (hybrid search, as the pages use it)."""
    nulls = [json.loads(line) for line in null_path.read_text().splitlines() if line]
    null_counts = [(query, search(query["text"]).total) for query in nulls]
    empty_dev, grade3, grade3_kept, shown, relevant_shown = [], 0, 0, 0, 0
    for query in queries:
        result = search(query["text"])
        ids = [hit.id for hit in result.shown()]
        if not ids:
            empty_dev.append(query["id"])
        wanted = {doc for doc, grade in grades[query["id"]].items() if grade == 3}
        grade3 += len(wanted)
        grade3_kept += len(wanted & set(ids))
        first = ids[:FIRST_SCREEN]
        shown += len(first)
        relevant_shown += sum(1 for doc in first if grades[query["id"]].get(doc, 0) >= 1)
    lines = [f"Relevance floor: {len(nulls)} queries about nothing in the set ({null_path.name}), hybrid search.", "",
             "| measure | value |", "|---|---|",
             f"| null queries with no result | {sum(1 for _, n in null_counts if n == 0)} of {len(nulls)} |",
             f"| null queries with more than 3 results | {sum(1 for _, n in null_counts if n > 3)} |",
             f"| dev queries with no result | {len(empty_dev)} of {len(queries)} {' '.join(empty_dev)} |",
             f"| grade-3 cases among the results | {grade3_kept} of {grade3} ({grade3_kept / grade3:.0%}) |",
             f"| first screen ({FIRST_SCREEN}) precision, grade ≥ 1 | {relevant_shown} of {shown} "
             f"({relevant_shown / max(shown, 1):.0%}) |",
             f"| results per dev query, mean | {statistics.mean(search(q['text']).total for q in queries):.1f} |",
             "", "Null queries that got results: " + (", ".join(
                 f"{query['id']} “{query['text']}” ({count})" for query, count in null_counts if count)
                 or "none") + "."]
    return lines


if __name__ == "__main__":
    main()
