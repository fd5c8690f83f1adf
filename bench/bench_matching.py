"""Matching quality and cost.

1. Case matches on the dev evaluation set (../shared/eval/dev): each query is posted as a need by
   Lyngdal (title: its first sentence; description: all of it) and its case matches are ranked by
   delbar.needs.matching, the code path of the need page, the API and `delbar match`. nDCG@10,
   recall@20 (grade ≥ 2) and MRR beside plain hybrid search for the same text. The structured
   signals act through Lyngdal's size class and county (the queries carry no sector or CPV code).
2. Which matches are shown: precision (grade ≥ 1) and recall (grade ≥ 2) of the matches kept within
   the calibration's match margin of the best, for several margins.
3. Buyer-group proposals on bench/data/need_pairs.jsonl: 24 hand-written pairs of needs from two
   buyers, 12 that state the same need and 12 that share words or a sector but not the need, posted
   beside the dev cases, each need by its own municipality. Precision and recall of the proposals
   (delbar.groups.proposals.pairs, the rule the product uses), and of similarity alone at several
   thresholds for comparison.
4. The time to compute one need's matches (all kinds), p50 and p95.
"""

import argparse
import collections
import json
import statistics
import time
from pathlib import Path

from bench_search_quality import EVAL, ndcg, recall, reciprocal_rank
from common import REPO, drop_database, percentile, setup_django, write_results

PAIRS = REPO / "bench" / "data" / "need_pairs.jsonl"
MARGINS = (0.02, 0.03, 0.04, 0.05, 0.07, 0.10)
THRESHOLDS = (0.86, 0.88, 0.90, 0.92)


def split(text: str) -> tuple[str, str]:
    first = text.split(". ")[0].rstrip(".?!")
    return first[:200], text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=EVAL)
    args = parser.parse_args()
    setup_django("matching")
    from django.core.management import call_command

    from delbar.needs import actions, matching
    from delbar.needs.models import Match, Need
    from delbar.orgs.models import Organization
    from delbar.search.calibration import calibration
    from delbar.search.engine import search

    call_command("import", str(args.eval / "cases.jsonl"))
    queries = [json.loads(line) for line in (args.eval / "queries.jsonl").read_text().splitlines() if line]
    grades = collections.defaultdict(dict)
    for line in (args.eval / "qrels.tsv").read_text().splitlines():
        query_id, case_id, grade = line.split("\t")
        grades[query_id][case_id] = int(grade)
    lyngdal = Organization.objects.get(municipality_number="4225")
    external = dict(Need.objects.none().values_list("pk", "external_id"))

    rows = {"search": [], "matching": []}
    shown = {margin: [] for margin in MARGINS}
    timings = []
    from delbar.cases.models import Case
    external = dict(Case.objects.values_list("pk", "external_id"))
    for query in queries:
        title, description = split(query["text"])
        need = actions.create_need(actor=None, organization=lyngdal, match=False,
                                   fields={"title": title, "description": description})
        started = time.perf_counter()
        matching.compute(need)
        timings.append((time.perf_counter() - started) * 1000)
        found = matching.find(need, kinds=["case"], limit=20)
        ranked = [external[item.object_id] for item in found]
        plain = [hit.id for hit in search(matching.query_text(need), kinds=["case"]).shown(0, 20)]
        wanted = grades[query["id"]]
        for name, ranking in (("search", plain), ("matching", ranked)):
            rows[name].append((ndcg(ranking, wanted), recall(ranking, wanted), reciprocal_rank(ranking, wanted)))
        best = found[0].score if found else 0.0
        for margin in MARGINS:
            kept = [external[item.object_id] for item in found[:matching.MATCHES_PER_KIND]
                    if item.score >= best - margin]
            relevant = sum(1 for case in kept if wanted.get(case, 0) >= 1)
            good = {case for case, grade in wanted.items() if grade >= 2}
            shown[margin].append((relevant / len(kept) if kept else 1.0, len(good & set(kept)) / len(good),
                                  len(kept)))
        actions.delete_need(need=need, actor=None)

    lines = [f"{len(queries)} queries posted as needs by Lyngdal against the {len(external)} dev cases.", "",
             "| ranking | nDCG@10 | recall@20 (grade ≥ 2) | MRR |", "|---|---|---|---|"]
    for name, values in rows.items():
        means = [statistics.mean(column) for column in zip(*values, strict=True)]
        lines.append(f"| {name} | {means[0]:.3f} | {means[1]:.3f} | {means[2]:.3f} |")
    lines += ["", "Matches shown (at most 10, within the margin of the best score):", "",
              "| margin | precision (grade ≥ 1) | recall of grade ≥ 2 | matches shown (mean) |", "|---|---|---|---|"]
    for margin, values in shown.items():
        means = [statistics.mean(column) for column in zip(*values, strict=True)]
        marker = " (the calibration's)" if margin == calibration().match_margin else ""
        lines.append(f"| {margin:.2f}{marker} | {means[0]:.3f} | {means[1]:.3f} | {means[2]:.1f} |")

    # Buyer-group proposals on hand-written pairs.
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line]
    municipalities = iter(Organization.objects.municipalities().order_by("municipality_number"))
    posted = []
    for pair in pairs:
        needs = [actions.create_need(actor=None, organization=next(municipalities), match=False,
                                     fields={**pair[side], "open_for_joint_procurement": True})
                 for side in ("a", "b")]
        posted.append((pair["group"], needs))
    for _, needs in posted:
        for need in needs:
            matching.compute(need)
    similarity = {}
    for match in Match.objects.filter(kind="need", current=True):
        key = tuple(sorted((match.need_id, match.object_id)))
        similarity[key] = max(similarity.get(key, 0.0), match.similarity or 0.0)
    from delbar.groups.proposals import pairs as proposable

    product = {(a, b) for a, b, _ in proposable()}
    rules = [("Delbar's rule: similar and the same earlier cases", lambda key: key in product)]
    rules += [(f"similarity ≥ {threshold:.2f} alone", lambda key, t=threshold: similarity.get(key, 0.0) >= t)
              for threshold in THRESHOLDS]
    lines += ["", f"Buyer-group proposals on {len(pairs)} hand-written need pairs "
              f"({sum(p['group'] for p in pairs)} should be proposed):", "",
              "| rule | precision | recall | proposed |", "|---|---|---|---|"]
    positives = sum(1 for group, _ in posted if group)
    for label, rule in rules:
        proposed = [(group, rule(tuple(sorted(n.pk for n in needs)))) for group, needs in posted]
        true_positive = sum(1 for group, hit in proposed if group and hit)
        predicted = sum(1 for _, hit in proposed if hit)
        lines.append(f"| {label} | {true_positive / predicted if predicted else 1.0:.3f} | "
                     f"{true_positive / positives:.3f} | {predicted} |")
    lines += ["", "Pairs:", "", "| should propose | a | b | similarity | proposed |", "|---|---|---|---|---|"]
    for group, needs in posted:
        key = tuple(sorted(n.pk for n in needs))
        lines.append(f"| {'yes' if group else 'no'} | {needs[0].title} | {needs[1].title} | "
                     f"{similarity.get(key, 0.0):.3f} | {'yes' if key in product else 'no'} |")
    lines += ["", f"Computing one need's matches (cases, needs, solutions) with {len(external)} cases: "
              f"p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms."]
    write_results("matching", "bench_matching: need matching and buyer-group proposals", lines)
    drop_database()


if __name__ == "__main__":
    main()
