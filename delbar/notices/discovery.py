"""Discovery: how strongly a notice signals innovative procurement, and why.

A notice earns points for each kind of evidence; the reasons are kept so the page can say why it was
found. The evidence, strongest first: the procedure (innovation partnership, competitive dialogue),
the buyer's own BT-776 "innovative acquisition" codes and the "innovative purchase" strategic flag,
pre-commercial procurement (research and experimental development services, CPV 731…, or the
words), a market dialogue or dialogue conference announced before the competition, and
functional-requirement or innovation language in the text. Competition with negotiation counts a
little: it leaves room for new solutions.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from delbar.notices import labels

PROCEDURE_POINTS = {"innovation": 60, "comp-dial": 40, "neg-w-call": 10}
INNOVATIVE_ACQUISITION_POINTS = 50     # the buyer says so: the strongest evidence short of the procedure
INNOVATIVE_PURCHASE_POINTS = 40
PRE_COMMERCIAL_POINTS = 45
RESEARCH_POINTS = 20                   # CPV 73000000 alone: R&D "and related consultancy", often just consultancy
DIALOGUE_POINTS = 30                   # a planning notice that invites the market to a dialogue
DIALOGUE_MENTION_POINTS = 15           # other notices that mention one
FUNCTIONAL_POINTS = 20
INNOVATION_WORDS_POINTS = 15
STRONG = 50
SOME = 25

PRE_COMMERCIAL = re.compile(r"førkommersiel|pre-?commercial|\bpcp\b")
DIALOGUE = re.compile(r"markedsdialog|dialogkonferanse|dialogmøte|leverandørkonferanse|leverandørdialog|"
                      r"markedskonferanse|market dialogue|market consultation|pre-market|supplier conference|"
                      r"request for information|\brfi\b")
FUNCTIONAL = re.compile(r"funksjonskrav|funksjonsbasert|funksjonelle krav|funksjonsbeskrivelse|ytelseskrav|"
                        r"functional requirements?|performance requirements?|functional specification|"
                        r"outcome-based|resultatbasert")
INNOVATION_WORDS = re.compile(r"innovasjon|innovativ|nyskaping|innovation|innovative")


@dataclass(frozen=True)
class Finding:
    score: int
    level: str           # "strong", "some", ""
    reasons: list[dict]  # [{"code": "procedure", "detail": "innovation"}, …]


def assess(*, procedure: str, innovative_acquisition: list[str], strategic_procurement: list[str],
           family: str, cpv_codes: list[str], texts: list[str]) -> Finding:
    reasons, score = [], 0
    if procedure in PROCEDURE_POINTS:
        score += PROCEDURE_POINTS[procedure]
        reasons.append({"code": "procedure", "detail": procedure})
    codes = [code for code in innovative_acquisition if code and code != "none"]
    if codes:
        score += INNOVATIVE_ACQUISITION_POINTS + 5 * (len(codes) - 1)
        reasons += [{"code": "bt776", "detail": code} for code in codes]
    if "inn-pur" in strategic_procurement:
        score += INNOVATIVE_PURCHASE_POINTS
        reasons.append({"code": "strategic", "detail": "inn-pur"})
    text = " ".join(texts).lower()
    research_cpv = next((code for code in cpv_codes if code.startswith("731")), "")
    if research_cpv or PRE_COMMERCIAL.search(text):
        score += PRE_COMMERCIAL_POINTS
        reasons.append({"code": "pre-commercial", "detail": research_cpv or _match(PRE_COMMERCIAL, text)})
    elif "73000000" in cpv_codes:
        score += RESEARCH_POINTS
        reasons.append({"code": "research", "detail": "73000000"})
    if match := DIALOGUE.search(text):
        score += DIALOGUE_POINTS if family == "planning" else DIALOGUE_MENTION_POINTS
        reasons.append({"code": "dialogue", "detail": match.group(0)})
    if match := FUNCTIONAL.search(text):
        score += FUNCTIONAL_POINTS
        reasons.append({"code": "functional", "detail": match.group(0)})
    if match := INNOVATION_WORDS.search(text):
        score += INNOVATION_WORDS_POINTS
        reasons.append({"code": "words", "detail": match.group(0)})
    level = "strong" if score >= STRONG else "some" if score >= SOME else ""
    return Finding(min(score, 999), level, reasons)


def _match(pattern, text: str) -> str:
    found = pattern.search(text)
    return found.group(0) if found else ""


def explain(reason: dict) -> str:
    """One reason as a sentence for the notice page."""
    code, detail = reason.get("code"), reason.get("detail", "")
    if code == "procedure":
        return _("Procedure: %(procedure)s") % {"procedure": labels.label("procurement-procedure-type", detail)}
    if code == "bt776":
        return _("The buyer marked it as innovative acquisition: %(label)s") % {
            "label": labels.label("innovative-acquisition", detail)}
    if code == "strategic":
        return _("The buyer marked it as an innovative purchase (strategic procurement)")
    if code == "pre-commercial":
        return _("Pre-commercial procurement or research and development (%(detail)s)") % {"detail": detail}
    if code == "research":
        return _("Research and development services (CPV %(detail)s)") % {"detail": detail}
    if code == "dialogue":
        return _("A market dialogue or dialogue conference (“%(detail)s”)") % {"detail": detail}
    if code == "functional":
        return _("Functional or performance requirements (“%(detail)s”)") % {"detail": detail}
    if code == "words":
        return _("Innovation is named in the text (“%(detail)s”)") % {"detail": detail}
    return str(detail)
