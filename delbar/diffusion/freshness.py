"""A fingerprint of the data the diffusion figures are drawn from. It changes whenever a case,
adoption, need, notice or question is added, changed or removed, and costs a few aggregates over
indexed columns (bench/bench_observatory.py measures it).

A network's collection (the observatory's network filter) changes with its members and the cases
linked to it, so both are fingerprinted too: an approved member or a case added shows at once.

Needs are fingerprinted whether public or not: a need's visibility changes with its `updated_at`, so
one that becomes public (or stops being) is seen at once. Buyer groups are in no figure (they are
private) except through a published challenge, which names its group's buyers as taking part: challenges
and group members are fingerprinted for the challenge figures (challengefigures.py)."""

import hashlib

from django.db.models import Count, Max

from delbar.cases.models import Case, CaseNetwork
from delbar.challenges.models import Challenge
from delbar.diffusion.models import Adoption
from delbar.groups.models import GroupMember
from delbar.needs.models import Need
from delbar.networks.models import NetworkMember
from delbar.notices.models import Notice
from delbar.questions.models import Question


def network_fingerprint() -> str:
    """What the learning network is drawn from: adoptions and questions."""
    return _digest([Adoption.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
                    Question.objects.aggregate(n=Count("pk"), last=Max("pk"))])


def fingerprint() -> str:
    """What every figure is drawn from: the network's sources, cases, needs and notices."""
    return _digest([
        network_fingerprint(),
        Case.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Need.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        # Notices are immutable versions (a correction is a new row): the newest id tells what is new.
        Notice.objects.aggregate(last=Max("pk")),
        # A member approved (decided_at), asked for or removed; a case linked or unlinked.
        NetworkMember.objects.aggregate(n=Count("pk"), last=Max("pk"), decided=Max("decided_at")),
        CaseNetwork.objects.aggregate(n=Count("pk"), last=Max("pk")),
        # Published, ended (in a contract) or cancelled: each is saved with its updated_at.
        Challenge.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        GroupMember.objects.aggregate(n=Count("pk"), last=Max("pk")),
    ])


def _digest(parts: list) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
