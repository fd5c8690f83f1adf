"""Notices as something a need is matched with (needs/matching.py): real procurements of the same
thing, so a buyer sees who has already bought it and how."""

from delbar.needs.matching import MatchKind, register
from delbar.search.models import SearchDocument


def _candidates(need):
    return SearchDocument.objects.filter(kind="notice")


def _cpv_codes(ids) -> dict[int, set[str]]:
    from delbar.notices.models import Notice
    return {pk: set(codes) for pk, codes in Notice.objects.filter(pk__in=ids).values_list("pk", "cpv_codes")}


register(MatchKind("notice", _candidates, _cpv_codes))
