"""Suppliers' published solutions as something a need is matched with (needs/matching.py)."""

from delbar.needs.matching import MatchKind, cpv_codes_of, register
from delbar.search import Scope
from delbar.suppliers.models import Solution

register(MatchKind(
    "solution",
    scope=lambda need: Scope(kinds=("solution",), public=True, unseen=("need", need.pk)),
    cpv_codes=lambda ids: cpv_codes_of(Solution.cpv_codes.through, "solution_id", ids),
))
