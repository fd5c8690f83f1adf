"""Matching a need against what Delbar holds: published cases, other buyers' open needs, suppliers'
solutions (and, later, notices).

A match starts from the search engine's hybrid similarity — the need's title and description are
searched like a described need typed into the search box — and adds small structured signals: the
same sector, shared CPV codes or CPV division, the same municipality size class and county. They
break near-ties in favour of what is procurement-wise closer; they are small enough never to lift
an unrelated text over a related one (bench/bench_matching.py measures both). Each match stores its
reasons, so the need page can say why it was found.

Matches are recomputed when the need is saved, and for the open needs near any case, need or
solution that changes (`refresh_near`, run as a background task). The owner's confirmations and
dismissals survive recomputation: they are feedback, and a dismissed match never comes back.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wordfreq import zipf_frequency

from delbar.needs.models import Match, MatchState, Need, NeedStatus
from delbar.search import engine, text
from delbar.search.calibration import calibration
from delbar.search.embedders import get_embedder
from delbar.search.models import SearchDocument
from delbar.search.vectors import vector_index

MATCHES_PER_KIND = 10
# Structured signals reorder relevant matches (each is smaller than the cosine differences between a
# related and an unrelated text); every match has cleared the search's relevance floor first.
SAME_SECTOR = 0.010
SHARED_CPV = 0.015        # per need, not per code: one shared code is enough evidence
SHARED_CPV_DIVISION = 0.008
SAME_SIZE_CLASS = 0.003
SAME_COUNTY = 0.003
SHARED_WORDS_SHOWN = 8
# wordfreq Zipf frequency from which a shared word is not worth showing: "beholde" (4.7), "løsning" (4.8),
# "brukere" (4.7) say nothing about a subject; "elektrisk" (4.2), "robot" (3.8), "trygghetsalarmer" (1.3) do.
COMMON_WORD = 4.5
# The thresholds that depend on the embedder (shown first, refresh, groups) are in search/calibration.py.


@dataclass(frozen=True)
class MatchKind:
    name: str
    # need -> SearchDocument queryset of what this need may be matched with
    candidates: object
    # object ids -> {object_id: set of CPV codes}
    cpv_codes: object
    # True when the candidates are a small part of the index (open needs among 200k documents): they
    # are scored exactly. Otherwise (every published case) the graph finds them, as for a search.
    narrow: bool = False


def _case_candidates(need: Need):
    return SearchDocument.objects.filter(kind="case", public=True)


def _need_candidates(need: Need):
    # Another buyer's open need; the need's own organization is not a partner for itself.
    return SearchDocument.objects.filter(kind="need", status=NeedStatus.OPEN).exclude(
        Q(object_id=need.pk) | Q(organization_id=need.organization_id))


def _solution_candidates(need: Need):
    return SearchDocument.objects.filter(kind="solution", public=True)


def _codes(through, column: str, ids) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = {}
    for object_id, code in through.objects.filter(**{f"{column}__in": ids}).values_list(column, "cpvcode_id"):
        codes.setdefault(object_id, set()).add(code)
    return codes


def _case_cpv(ids):
    from delbar.cases.models import Case
    return _codes(Case.cpv_codes.through, "case_id", ids)


def _need_cpv(ids):
    return _codes(Need.cpv_codes.through, "need_id", ids)


def _solution_cpv(ids):
    from delbar.suppliers.models import Solution
    return _codes(Solution.cpv_codes.through, "solution_id", ids)


KINDS: dict[str, MatchKind] = {
    "case": MatchKind("case", _case_candidates, _case_cpv),
    "need": MatchKind("need", _need_candidates, _need_cpv, narrow=True),
    "solution": MatchKind("solution", _solution_candidates, _solution_cpv),
}


def register(kind: MatchKind) -> None:
    KINDS[kind.name] = kind


def query_text(need: Need) -> str:
    """What is searched: the title and the description, once (imports often repeat the title)."""
    title, description = need.title.strip(), need.description.strip()
    return description if description.startswith(title.rstrip(".?!")) else f"{title}. {description}"


@dataclass
class Found:
    kind: str
    object_id: int
    score: float
    similarity: float | None
    reasons: dict


def find(need: Need, kinds: list[str] | None = None, limit: int = MATCHES_PER_KIND) -> list[Found]:
    """What matches `need` now, best first per kind, with reasons. Writes nothing."""
    buyer = need.organization
    need_codes = set(need.cpv_codes.values_list("code", flat=True))
    query = query_text(need)
    need_words = text.words(query)
    # The need's own words are in the index too; they must not count as evidence the corpus holds them.
    own = SearchDocument.objects.filter(kind="need", object_id=need.pk).only("terms", "removed").first()
    found = []
    for name in kinds or KINDS:
        kind = KINDS[name]
        result = engine.search(query, kinds=[name], within=kind.candidates(need), limit=limit * 3, unseen=own,
                               within_is_narrow=kind.narrow)
        hits = engine.load_documents(result.hits[:limit * 3])
        if not hits:
            continue
        codes = kind.cpv_codes([hit.document.object_id for hit in hits])
        terms = dict(SearchDocument.objects.filter(pk__in=[hit.doc_id for hit in hits]).values_list("pk", "terms"))
        scored = []
        for hit in hits:
            document = hit.document
            reasons, bonus = _signals(need, buyer, need_codes, codes.get(document.object_id, set()), document)
            shared = _shared_words(need_words, set(terms.get(hit.doc_id, "").split()))
            if shared:
                reasons["words"] = shared
            if hit.semantic is not None:
                reasons["similarity"] = round(hit.semantic, 3)
            scored.append(Found(name, document.object_id, hit.score + bonus, hit.semantic, reasons))
        scored.sort(key=lambda item: (-item.score, item.object_id))
        found += scored[:limit]
    return found


def _signals(need, buyer, need_codes: set[str], codes: set[str], document) -> tuple[dict, float]:
    reasons, bonus = {}, 0.0
    if need.sector_id and f" {need.sector_id} " in (document.sectors or ""):
        reasons["sector"] = need.sector_id
        bonus += SAME_SECTOR
    shared_codes = sorted(need_codes & codes)
    if shared_codes:
        reasons["cpv"] = shared_codes
        bonus += SHARED_CPV
    else:
        divisions = sorted({code[:2] for code in need_codes} & {code[:2] for code in codes})
        if divisions:
            reasons["cpv_division"] = divisions
            bonus += SHARED_CPV_DIVISION
    if buyer.size_class and document.size_class == buyer.size_class:
        reasons["size_class"] = buyer.size_class
        bonus += SAME_SIZE_CLASS
    if buyer.county_id and document.county == buyer.county_id:
        reasons["county"] = buyer.county_id
        bonus += SAME_COUNTY
    return reasons, bonus


def _shared_words(need_words: list[str], target_terms: set[str]) -> list[str]:
    """The need's own words the target also uses, as the user wrote them: the same stem, or every part
    of a compound. Very common words ("først", "finne") are true but tell the reader nothing."""
    shared = []
    for word in dict.fromkeys(need_words):
        if word.isdigit() or zipf_frequency(word, "nb") >= COMMON_WORD:
            continue
        parts = text.compound_parts(word)
        if text.stem(word) in target_terms or (parts and all(text.stem(part) in target_terms for part in parts)):
            shared.append(word)
        if len(shared) == SHARED_WORDS_SHOWN:
            break
    return shared


@transaction.atomic
def compute(need: Need, kinds: list[str] | None = None) -> list[Match]:
    """Stores what matches `need` now (of `kinds`, default all). Decided matches keep their state;
    suggestions no longer found are marked not current rather than deleted, so a decision made on
    one is never lost."""
    if need.status != NeedStatus.OPEN:
        Match.objects.filter(need=need, state=MatchState.SUGGESTED).update(current=False)
        return []
    kinds = kinds or list(KINDS)
    found = {(item.kind, item.object_id): item for item in find(need, kinds)}
    existing = {(match.kind, match.object_id): match for match in Match.objects.filter(need=need, kind__in=kinds)}
    now = timezone.now()
    to_create, to_update = [], []
    for key, item in found.items():
        match = existing.get(key)
        if match is None:
            to_create.append(Match(need=need, kind=item.kind, object_id=item.object_id, score=item.score,
                                   similarity=item.similarity, reasons=item.reasons, computed_at=now))
        else:
            match.score, match.similarity, match.reasons, match.current = (
                item.score, item.similarity, item.reasons, True)
            to_update.append(match)
    gone = [match.pk for key, match in existing.items() if key not in found]
    Match.objects.bulk_create(to_create)
    Match.objects.bulk_update(to_update, ["score", "similarity", "reasons", "current"])
    Match.objects.filter(pk__in=gone).update(current=False)
    from delbar.groups.proposals import propose_for
    propose_for(need)
    return list(Match.objects.filter(need=need, current=True))


def refresh_near(kind: str, object_ids: list[int]) -> int:
    """Recomputes the matches of open needs that changed objects may now enter (or have left);
    returns how many needs were recomputed.

    A need is recomputed when a changed object is at least as close to it as its weakest current
    match of that kind (document to document, less the calibration's refresh slack for what words and signals add),
    or, while it has fewer than MATCHES_PER_KIND matches of the kind, closer than the calibration's
    refresh similarity.
    So a published case recomputes the few needs it could join, not every need on the subject."""
    affected = set(Match.objects.filter(kind=kind, object_id__in=object_ids, need__status=NeedStatus.OPEN)
                   .values_list("need_id", flat=True))
    open_needs = dict(SearchDocument.objects.filter(kind="need", status=NeedStatus.OPEN, removed=False)
                      .values_list("pk", "object_id"))
    changed = list(SearchDocument.objects.filter(kind=kind, object_id__in=object_ids, removed=False)
                   .values_list("pk", flat=True))
    if open_needs and changed:
        index = vector_index(get_embedder().dimensions)
        current = _current_match_documents(kind, list(open_needs.values()))
        thresholds: dict[int, float] = {}
        for doc_id in changed:
            vector = index.vector(doc_id)
            if vector is None:
                continue
            for need_doc, similarity in index.similarities(vector, list(open_needs)).items():
                need_id = open_needs[need_doc]
                if need_id in affected or (kind == "need" and need_id in object_ids):
                    continue
                if need_doc not in thresholds:
                    thresholds[need_doc] = _entry_threshold(index, need_doc, current.get(need_id, []))
                if similarity >= thresholds[need_doc]:
                    affected.add(need_id)
    if kind == "need":
        affected -= set(object_ids)
    for need in Need.objects.filter(pk__in=affected).select_related("organization"):
        compute(need, [kind])  # only this kind's list can have changed
    return len(affected)


def _current_match_documents(kind: str, need_ids: list[int]) -> dict[int, list[int]]:
    """Each need's current (not dismissed) matches of `kind`, as search document ids."""
    rows = list(Match.objects.filter(need_id__in=need_ids, kind=kind, current=True).exclude(
        state=MatchState.DISMISSED).values_list("need_id", "object_id"))
    documents = dict(SearchDocument.objects.filter(kind=kind, object_id__in={object_id for _, object_id in rows})
                     .values_list("object_id", "pk"))
    current: dict[int, list[int]] = {}
    for need_id, object_id in rows:
        if object_id in documents:
            current.setdefault(need_id, []).append(documents[object_id])
    return current


def _entry_threshold(index, need_doc: int, match_docs: list[int]) -> float:
    """How close (document to document) something must be to `need_doc` to enter its list."""
    settings = calibration()
    if len(match_docs) < MATCHES_PER_KIND:
        return settings.refresh_similarity
    need_vector = index.vector(need_doc)
    if need_vector is None:
        return settings.refresh_similarity
    weakest = min(index.similarities(need_vector, match_docs).values(), default=settings.refresh_similarity)
    return weakest - settings.refresh_slack
