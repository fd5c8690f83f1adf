"""Notices as something a need is matched with (needs/matching.py): real procurements of the same
thing, so a buyer sees who has already bought it and how."""

from delbar.needs.matching import MatchKind, register
from delbar.notices.models import Notice
from delbar.search import Scope


def _cpv_codes(ids) -> dict[int, set[str]]:
    return {pk: set(codes) for pk, codes in Notice.objects.filter(pk__in=ids).values_list("pk", "cpv_codes")}


register(MatchKind(
    "notice",
    scope=lambda need: Scope(kinds=("notice",), unseen=("need", need.pk)),
    cpv_codes=_cpv_codes,
))
