"""A need's matches as a page or the API shows them: the matched objects the viewer may see, grouped
by kind, with their reasons in words."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from delbar.cases.models import Case
from delbar.needs.models import Match, MatchState, Need
from delbar.notices.models import Notice
from delbar.orgs.models import County, CpvCode, Organization, Sector
from delbar.search import calibration
from delbar.suppliers.models import Solution

KIND_ORDER = ("case", "need", "solution", "notice")
MODELS = {"case": Case, "need": Need, "solution": Solution, "notice": Notice}


def _objects(kind: str, ids, user) -> dict:
    if kind == "case":
        return Case.objects.published().select_related("lead_buyer").in_bulk(ids)
    if kind == "need":
        return Need.objects.visible_to(user).select_related("organization").in_bulk(ids)
    if kind == "solution":
        return Solution.objects.visible_to(user).select_related("organization").in_bulk(ids)
    if kind == "notice":
        return Notice.objects.current().select_related("organization").in_bulk(ids)
    return {}


@dataclass
class ShownMatch:
    match: Match
    object: object
    reasons: list[str]

    @property
    def kind(self) -> str:
        return self.match.kind

    @property
    def external_id(self) -> str:
        return getattr(self.object, "external_id", None) or str(self.object.pk)


def shown_matches(need: Need, user, *, kind: str | None = None, dismissed: bool = False) -> list[ShownMatch]:
    """Current matches best first (confirmed ones first), of objects `user` may see."""
    matches = need.matches.filter(current=True)
    if kind:
        matches = matches.filter(kind=kind)
    decided = Q(state=MatchState.DISMISSED)
    matches = list(matches.filter(decided) if dismissed else matches.exclude(decided))
    by_kind: dict[str, list[int]] = {}
    for match in matches:
        by_kind.setdefault(match.kind, []).append(match.object_id)
    objects = {name: _objects(name, ids, user) for name, ids in by_kind.items()}
    labels = _labels(matches)
    shown = [ShownMatch(match, objects[match.kind][match.object_id], reasons_in_words(match.reasons, labels))
             for match in matches if match.object_id in objects.get(match.kind, {})]
    shown.sort(key=lambda item: (item.match.state != MatchState.CONFIRMED, -item.match.score, item.match.pk))
    return shown


@dataclass
class MatchGroup:
    title: str
    strong: list[ShownMatch]    # within the match margin of the kind's best, and everything confirmed
    more: list[ShownMatch]

    @property
    def count(self) -> int:
        return len(self.strong) + len(self.more)


def grouped(shown: list[ShownMatch]) -> list[MatchGroup]:
    margin = calibration().match_margin
    titles = {"case": _("Earlier cases"), "need": _("Other buyers with this need"),
              "solution": _("Suppliers' solutions"), "notice": _("Notices: what others have procured")}
    groups = []
    for name in KIND_ORDER:
        items = [item for item in shown if item.kind == name]
        best = max((item.match.score for item in items), default=0.0)
        strong = [item for item in items
                  if item.match.score >= best - margin or item.match.state == MatchState.CONFIRMED]
        groups.append(MatchGroup(titles[name], strong, [item for item in items if item not in strong]))
    return groups


def _labels(matches) -> dict:
    sectors = {m.reasons.get("sector") for m in matches} - {None}
    counties = {m.reasons.get("county") for m in matches} - {None}
    codes = {code for m in matches for code in m.reasons.get("cpv", [])}
    return {"sector": {slug: s.name for slug, s in Sector.objects.in_bulk(list(sectors)).items()},
            "county": {number: c.name for number, c in County.objects.in_bulk(list(counties)).items()},
            "cpv": {code: cpv.name for code, cpv in CpvCode.objects.in_bulk(list(codes)).items()}}


def reasons_in_words(reasons: dict, labels: dict) -> list[str]:
    """Why a match was found, as a person would say it: what it is about, the shared CPV codes with
    their names, a municipality of the same size and where. Never a raw score: every match has cleared
    the relevance floor, and a number like 0.89 tells a reader nothing."""
    words = []
    if reasons.get("words"):
        words.append(_("about the same: %(words)s") % {"words": ", ".join(reasons["words"])})
    elif reasons.get("similarity") is not None:
        words.append(_("about the same, in other words"))
    if reasons.get("cpv"):
        words.append(_("same CPV code %(codes)s") % {"codes": ", ".join(
            f"{code} – {labels['cpv'][code]}" if code in labels.get("cpv", {}) else code for code in reasons["cpv"])})
    elif reasons.get("cpv_division"):
        words.append(_("same CPV division: %(codes)s") % {"codes": ", ".join(reasons["cpv_division"])})
    if reasons.get("sector"):
        words.append(_("same sector: %(sector)s") % {
            "sector": labels["sector"].get(reasons["sector"], reasons["sector"])})
    county = labels["county"].get(reasons["county"], reasons["county"]) if reasons.get("county") else None
    if reasons.get("size_class"):
        size = Organization.SizeClass(reasons["size_class"]).label
        if county:
            words.append(_("a municipality of the same size (%(size)s) in %(county)s")
                         % {"size": size, "county": county})
        else:
            words.append(_("a municipality of the same size: %(size)s") % {"size": size})
    elif county:
        words.append(_("in the same county: %(county)s") % {"county": county})
    return words
