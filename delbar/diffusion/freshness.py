"""A fingerprint of the data the diffusion figures are drawn from. It changes whenever a case,
adoption, need, notice, question or buyer-group member is added, changed or removed, and costs a few
aggregates over indexed columns (bench/bench_observatory.py measures it)."""

import hashlib

from django.db.models import Count, Max

from delbar.cases.models import Case
from delbar.diffusion.models import Adoption
from delbar.groups.models import GroupMember
from delbar.needs.models import Need
from delbar.notices.models import Notice
from delbar.questions.models import Question


def network_fingerprint() -> str:
    """What the learning network is drawn from: adoptions, questions, buyer-group members."""
    return _digest([Adoption.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
                    Question.objects.aggregate(n=Count("pk"), last=Max("pk")),
                    GroupMember.objects.aggregate(n=Count("pk"), last=Max("pk"))])


def fingerprint() -> str:
    """What every figure is drawn from: the network's sources, cases, needs and notices."""
    return _digest([
        network_fingerprint(),
        Case.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Need.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        # Notices are immutable versions (a correction is a new row): the newest id tells what is new.
        Notice.objects.aggregate(last=Max("pk")),
    ])


def _digest(parts: list) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
