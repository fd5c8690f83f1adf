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

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wordfreq import zipf_frequency

from delbar.needs.models import Match, MatchState, Need, NeedStatus
from delbar.search import Scope, calibration, held_words, likeness, load_documents, search, words

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
    """Something a need may be matched with; the app that owns it declares it (<app>/matching.py)."""
    name: str
    # need -> the Scope (search's own terms) of what this need may be matched with
    scope: Callable[[Need], Scope]
    # object ids -> {object_id: set of CPV codes}
    cpv_codes: Callable[[list[int]], dict[int, set[str]]]


def cpv_codes_of(through, column: str, ids) -> dict[int, set[str]]:
    """{object id: CPV codes} through a many-to-many table (`column` the object's side)."""
    codes: dict[int, set[str]] = {}
    for object_id, code in through.objects.filter(**{f"{column}__in": ids}).values_list(column, "cpvcode_id"):
        codes.setdefault(object_id, set()).add(code)
    return codes


def _need_scope(need: Need) -> Scope:
    # Another buyer's open need; the need's own organization is not a partner for itself.
    return Scope(kinds=("need",), status=NeedStatus.OPEN, not_objects=(("need", need.pk),),
                 not_buyers=(need.organization_id,), unseen=("need", need.pk), narrow=True)


KINDS: dict[str, MatchKind] = {
    "need": MatchKind("need", _need_scope, lambda ids: cpv_codes_of(Need.cpv_codes.through, "need_id", ids)),
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
    # Words that carry meaning: very common ones ("først", "finne") are shared by anything.
    need_words = [word for word in dict.fromkeys(words(query))
                  if not word.isdigit() and zipf_frequency(word, "nb") < COMMON_WORD]
    found = []
    for name in kinds or KINDS:
        kind = KINDS[name]
        result = search(query, scope=kind.scope(need), limit=limit * 3)
        hits = load_documents(result.hits[:limit * 3])
        if not hits:
            continue
        codes = kind.cpv_codes([hit.document.object_id for hit in hits])
        held = held_words(need_words, hits)
        scored = []
        for hit in hits:
            document = hit.document
            reasons, bonus = _signals(need, buyer, need_codes, codes.get(document.object_id, set()), document)
            shared = held[hit.doc_id][:SHARED_WORDS_SHOWN]
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


@transaction.atomic
def compute(need: Need, kinds: list[str] | None = None) -> list[Match]:
    """Stores what matches `need` now (of `kinds`, default all). Decided matches keep their state;
    suggestions no longer found are marked not current rather than deleted, so a decision made on
    one is never lost."""
    now = timezone.now()
    need.matched_at = now
    Need.objects.filter(pk=need.pk).update(matched_at=now)
    if need.status != NeedStatus.OPEN:
        Match.objects.filter(need=need, state=MatchState.SUGGESTED).update(current=False)
        return []
    kinds = kinds or list(KINDS)
    found = {(item.kind, item.object_id): item for item in find(need, kinds)}
    existing = {(match.kind, match.object_id): match for match in Match.objects.filter(need=need, kind__in=kinds)}
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
    return list(Match.objects.filter(need=need, current=True))


def refresh_near(kind: str, object_ids: list[int]) -> list[Need]:
    """Recomputes the matches of open needs that changed objects may now enter (or have left);
    returns the needs recomputed.

    A need is recomputed when a changed object is at least as close to it as its weakest current
    match of that kind (document to document, less the calibration's refresh slack for what words and
    signals add), or, while it has fewer than MATCHES_PER_KIND matches of the kind, closer than the
    calibration's refresh similarity. So a published case recomputes the few needs it could join, not
    every need on the subject."""
    affected = set(Match.objects.filter(kind=kind, object_id__in=object_ids, need__status=NeedStatus.OPEN)
                   .values_list("need_id", flat=True))
    open_needs = [("need", pk) for pk in Need.objects.filter(status=NeedStatus.OPEN).exclude(
        pk__in=affected).values_list("pk", flat=True)]
    if kind == "need":
        open_needs = [key for key in open_needs if key[1] not in object_ids]
    if open_needs:
        current = _current_matches(kind, [need_id for _, need_id in open_needs])
        thresholds: dict[int, float] = {}
        for object_id in object_ids:
            for (_, need_id), closeness in likeness((kind, object_id), open_needs).items():
                if need_id in affected:
                    continue
                if need_id not in thresholds:
                    thresholds[need_id] = _entry_threshold(kind, need_id, current.get(need_id, []))
                if closeness >= thresholds[need_id]:
                    affected.add(need_id)
    if kind == "need":
        affected -= set(object_ids)
    needs = list(Need.objects.filter(pk__in=affected).select_related("organization"))
    for need in needs:
        compute(need, [kind])  # only this kind's list can have changed
    return needs


def _current_matches(kind: str, need_ids: list[int]) -> dict[int, list[int]]:
    """Each need's current (not dismissed) matches of `kind`, as object ids."""
    current: dict[int, list[int]] = {}
    for need_id, object_id in Match.objects.filter(need_id__in=need_ids, kind=kind, current=True).exclude(
            state=MatchState.DISMISSED).values_list("need_id", "object_id"):
        current.setdefault(need_id, []).append(object_id)
    return current


def _entry_threshold(kind: str, need_id: int, match_ids: list[int]) -> float:
    """How close (document to document) something must be to the need to enter its list."""
    settings = calibration()
    if len(match_ids) < MATCHES_PER_KIND:
        return settings.refresh_similarity
    closeness = likeness(("need", need_id), [(kind, object_id) for object_id in match_ids])
    if not closeness:
        return settings.refresh_similarity
    return min(closeness.values()) - settings.refresh_slack
