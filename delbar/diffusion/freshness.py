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


def fingerprint() -> str:
    parts = [
        Case.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Adoption.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Need.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        # Notices are immutable versions (a correction is a new row): the newest id tells what is new.
        Notice.objects.aggregate(last=Max("pk")),
        Question.objects.aggregate(n=Count("pk"), last=Max("pk")),
        GroupMember.objects.aggregate(n=Count("pk"), last=Max("pk")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
