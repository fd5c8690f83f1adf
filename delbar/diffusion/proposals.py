"""Proposing adoptions from the data: a later notice or case from another buyer that closely matches a
published case is probably that buyer taking it up. The adopter confirms or dismisses each proposal.

Evidence, strongest first:
- a published case of another buyer that was started from this case ("reuse": always proposed);
- a notice or case very similar in meaning (the calibration's adoption similarity alone);
- a similar notice (the calibration's similarity with evidence) that also shares the supplier or a
  specific CPV code (one with at least SPECIFIC_CPV_DIGITS significant digits: "software package"
  48000000 says nothing);
- a similar case that shares the supplier. Two cases sharing only a CPV code are more often two
  separate stories in one field (a tunnel robot and a UV plant, both "water distribution") than an
  adoption, so a code is not evidence between cases.
The candidate must have begun after the case itself.
Candidates come from the search engine (the case's title and summary searched like a query, among
other buyers' notices and cases dated after the case began), so a proposal's similarity is the one
search shows. bench/bench_observatory.py reports the thresholds' effect on the demo.
"""

import datetime as dt
from dataclasses import dataclass, field

from delbar.cases.models import Case
from delbar.diffusion import actions
from delbar.diffusion.models import origin_date
from delbar.notices.models import Notice
from delbar.orgs.models import Organization
from delbar.search import Scope, calibration, load_documents, search

# How similar a candidate must be, alone or with evidence, depends on the embedder: search/calibration.py.
SPECIFIC_CPV_DIGITS = 5
CANDIDATES = 30


@dataclass
class Candidate:
    organization_id: int
    adopted_on: dt.date
    score: float
    reasons: list[dict] = field(default_factory=list)
    notice: Notice | None = None
    case: Case | None = None


def _case_cpv(case: Case) -> set[str]:
    return set(case.cpv_codes.values_list("code", flat=True))


def _supplier_numbers(case: Case) -> set[str]:
    return set(case.suppliers.exclude(org_number=None).values_list("org_number", flat=True))


def find(case: Case) -> list[Candidate]:
    """Who probably took `case` up, best first, one candidate per organization. Writes nothing."""
    start = origin_date(case)
    own = actions.originators(case)
    found: dict[int, Candidate] = {}

    reuses = Case.objects.published().filter(based_on=case).exclude(lead_buyer_id__in=own)
    for later in reuses.select_related("lead_buyer"):
        found[later.lead_buyer_id] = Candidate(later.lead_buyer_id, origin_date(later) or start, 1.0,
                                               [{"code": "reuses-case", "detail": later.title}], case=later)

    scope = Scope(kinds=("notice", "case"), public=True, buyers=Organization.objects.buyers().values("pk"),
                  not_buyers=tuple(own), not_objects=(("case", case.pk),), since=start)
    result = search(f"{case.title}. {case.summary}", scope=scope, limit=CANDIDATES, mode="semantic")
    hits = [hit for hit in load_documents(result.hits[:CANDIDATES]) if hit.semantic is not None]
    if not hits:
        return sorted(found.values(), key=lambda item: -item.score)
    notices = Notice.objects.in_bulk([hit.document.object_id for hit in hits if hit.kind == "notice"])
    cases = Case.objects.prefetch_related("cpv_codes", "suppliers").in_bulk(
        [hit.document.object_id for hit in hits if hit.kind == "case"])
    codes, suppliers = _case_cpv(case), _supplier_numbers(case)
    for hit in hits:
        document = hit.document
        if document.organization_id in found and found[document.organization_id].score >= hit.semantic:
            continue
        reasons = [{"code": "similar-text", "detail": f"{hit.semantic:.2f}"}]
        if hit.kind == "notice":
            source = notices.get(document.object_id)
            if source is None:
                continue
            their_codes = set(source.cpv_codes) | {source.main_cpv}
            their_suppliers = {winner.get("org_number") for winner in source.winners if winner.get("org_number")}
            day = source.publication_date or source.issue_date
        else:
            source = cases.get(document.object_id)
            if source is None:
                continue
            their_codes = set()       # see the module's docstring
            their_suppliers = {org.org_number for org in source.suppliers.all() if org.org_number}
            day = origin_date(source)
        shared = sorted(code for code in codes & their_codes if len(code.rstrip("0")) >= SPECIFIC_CPV_DIGITS)
        if shared:
            reasons.append({"code": "same-cpv", "detail": ", ".join(shared)})
        if suppliers & their_suppliers:
            reasons.append({"code": "same-supplier", "detail": ", ".join(sorted(suppliers & their_suppliers))})
        if day is None or (start and day <= start):
            continue
        evidence = len(reasons) > 1
        settings = calibration()
        if hit.semantic < settings.adoption_similarity_alone and not (
                evidence and hit.semantic >= settings.adoption_similarity_with_evidence):
            continue
        found[document.organization_id] = Candidate(
            document.organization_id, day or start, hit.semantic + 0.02 * (len(reasons) - 1), reasons,
            notice=source if hit.kind == "notice" else None, case=source if hit.kind == "case" else None)
    return sorted(found.values(), key=lambda item: -item.score)


def propose_for(case: Case) -> int:
    """Stores the new proposals for `case`; returns how many. Pairs with any adoption are left alone."""
    candidates = [item for item in find(case) if item.adopted_on is not None]
    organizations = Organization.objects.in_bulk([item.organization_id for item in candidates])
    made = 0
    for item in candidates:
        made += actions.propose(case=case, organization=organizations[item.organization_id],
                                adopted_on=item.adopted_on, reasons=item.reasons, score=item.score,
                                evidence_notice=item.notice, evidence_case=item.case) is not None
    return made
