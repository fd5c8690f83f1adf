"""Buyer groups Delbar proposes: open needs of different buyers, both open for joint procurement,
that match each other closely by meaning and lead to the same earlier cases (the rule and its
thresholds with their figures are in search/calibration.py). Their owners and the curators are told once per pair; the
curators' page shows the pairs joined into clusters."""

from django.urls import reverse
from django.utils.translation import gettext as _

from delbar.accounts.people import curators, editors_of
from delbar.alerts import notify
from delbar.needs.models import Match, MatchState, Need, NeedStatus
from delbar.search import calibration

GROUP_SHARED_CASES = 2    # of each need's three best case matches: two in common, or the same best one


def _joinable():
    return Need.objects.filter(status=NeedStatus.OPEN, open_for_joint_procurement=True)


def pairs(need_ids=None) -> list[tuple[int, int, float]]:
    """(need, other need, similarity) for every proposable pair, each pair once (smaller id first)."""
    joinable = set(_joinable().values_list("pk", flat=True))
    matches = Match.objects.filter(kind="need", current=True, similarity__gte=calibration().group_similarity).exclude(
        state=MatchState.DISMISSED)
    if need_ids is not None:
        matches = matches.filter(need_id__in=need_ids)
    found = {}
    for need_id, other_id, similarity in matches.values_list("need_id", "object_id", "similarity"):
        if need_id in joinable and other_id in joinable:
            key = (min(need_id, other_id), max(need_id, other_id))
            found[key] = max(found.get(key, 0.0), similarity)
    best_cases = _best_cases({need for key in found for need in key})
    proposable = [(a, b, s) for (a, b), s in found.items() if same_need(s, best_cases.get(a, []),
                                                                         best_cases.get(b, []))]
    return sorted(proposable, key=lambda item: -item[2])


def same_need(similarity: float, cases_a: list[int], cases_b: list[int]) -> bool:
    settings = calibration()
    if similarity >= settings.group_similarity_alone:
        return True
    if similarity < settings.group_similarity or not cases_a or not cases_b:
        return False
    return cases_a[0] == cases_b[0] or len(set(cases_a[:3]) & set(cases_b[:3])) >= GROUP_SHARED_CASES


def _best_cases(need_ids) -> dict[int, list[int]]:
    """Each need's three best case matches, best first (dismissed ones left out)."""
    best: dict[int, list[int]] = {}
    rows = Match.objects.filter(need_id__in=need_ids, kind="case", current=True).exclude(
        state=MatchState.DISMISSED).order_by("need_id", "-score", "id").values_list("need_id", "object_id")
    for need_id, case_id in rows:
        if len(best.setdefault(need_id, [])) < 3:
            best[need_id].append(case_id)
    return best


def clusters() -> list[list[Need]]:
    """Proposable pairs joined into groups of needs (connected components), largest first."""
    parent: dict[int, int] = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for a, b, _similarity in pairs():
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for node in parent:
        members.setdefault(root(node), []).append(node)
    needs = Need.objects.select_related("organization").in_bulk(list(parent))
    groups = [[needs[pk] for pk in sorted(ids) if pk in needs] for ids in members.values()]
    return sorted(groups, key=lambda group: (-len(group), group[0].pk))


def propose_for(need: Need) -> int:
    """Tells the owners of `need` and its close partners, and the curators, about each new pair."""
    if not need.open_for_joint_procurement or need.status != NeedStatus.OPEN:
        return 0
    told = 0
    for a, b, _similarity in pairs([need.pk]):
        first, second = Need.objects.select_related("organization").in_bulk([a, b]).values()
        title = _("Buy together? %(first)s (%(first_buyer)s) and %(second)s (%(second_buyer)s)") % {
            "first": first.title, "first_buyer": first.organization.name,
            "second": second.title, "second_buyer": second.organization.name}
        event = f"group-proposal:{a}-{b}"
        told += notify(editors_of(first.organization_id), event=event, title=title,
                       url=reverse("need_detail", args=[first.pk]))
        told += notify(editors_of(second.organization_id), event=event, title=title,
                       url=reverse("need_detail", args=[second.pk]))
        told += notify(curators(), event=event, title=title, url=reverse("group_proposals"))
    return told
