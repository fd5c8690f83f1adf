"""Published cases as something a need is matched with (needs/matching.py): the experience of buyers
who have done it before."""

from delbar.cases.models import Case
from delbar.needs.matching import MatchKind, cpv_codes_of, register
from delbar.search import Scope

register(MatchKind(
    "case",
    scope=lambda need: Scope(kinds=("case",), public=True, unseen=("need", need.pk)),
    cpv_codes=lambda ids: cpv_codes_of(Case.cpv_codes.through, "case_id", ids),
))
