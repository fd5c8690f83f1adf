"""Who should meet whom at a dialogue: for each need on its agenda, the buyers with the same need — those
that joined it ("we have this need too") and those whose open needs the matching found (needs/matching.py,
stored as Match rows of kind "need") — and the suppliers whose solutions the matching found for it (kind
"solution"), as far as the need's page shows them first (close to the best of their kind, or confirmed by
the need's owner). Each proposed meeting keeps the match's reason, in words, and its score.

Proposing again is safe: new pairs are added, proposed ones get the current reason and score, and what the
organizers decided stays — a removed meeting stays removed, a time and table stay, a meeting added by hand
keeps its own reason. Only what the proposing person may see is proposed (a buyers-only need is proposed
to those who may see it), and the owner's dismissed matches never come back as meetings.

The table lists registered organizations first: they are the ones who will be in the room."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from delbar.dialogues.models import Dialogue, Meeting
from delbar.needs.models import NeedStatus
from delbar.needs.presenting import grouped, shown_matches
from delbar.orgs.models import Organization

# A buyer who said "we have this need too" has the same need by its own word: as close as a match gets
# (match scores are cosine similarities with small bonuses, about 0.8 to 1.1 for close matches).
JOINED_SCORE = 1.0
REASON_LENGTH = Meeting._meta.get_field("reason").max_length


@dataclass
class Proposal:
    kind: str
    first: Organization
    second: Organization
    need: object
    reason: str
    score: float
    other_need: object = None
    solution: object = None


def proposals(dialogue: Dialogue, user=None) -> list[Proposal]:
    """What the matching proposes now for `dialogue`, one per pair of organizations (the best), best first.
    Writes nothing."""
    user = user or AnonymousUser()
    found: dict[tuple[int, int], Proposal] = {}

    def offer(proposal: Proposal) -> None:
        if proposal.first.pk == proposal.second.pk:
            return
        key = (proposal.first.pk, proposal.second.pk)
        if proposal.kind == Meeting.Kind.BUYERS and (key[1], key[0]) in found:
            key = (key[1], key[0])  # two buyers meet once, whichever need brought them together
        if key not in found or found[key].score < proposal.score:
            found[key] = proposal

    agenda = dialogue.needs.filter(status__in=(NeedStatus.OPEN, NeedStatus.IN_PROCUREMENT)).select_related(
        "organization").order_by("pk")
    for need in agenda:
        buyer = need.organization
        for interest in need.interests.select_related("organization"):
            offer(Proposal(Meeting.Kind.BUYERS, buyer, interest.organization, need,
                           _("has joined this need: “we have this need too”"), JOINED_SCORE))
        strong = _strong_matches(need, user)
        for item in strong.get("need", []):
            other = item.object
            if other.status != NeedStatus.OPEN:
                continue
            reason = _("same need: “%(title)s”") % {"title": other.title}
            offer(Proposal(Meeting.Kind.BUYERS, buyer, other.organization, need,
                           "; ".join([reason, *item.reasons]), item.match.score, other_need=other))
        for item in strong.get("solution", []):
            solution = item.object
            if not solution.active:
                continue
            reason = _("solution “%(title)s”") % {"title": solution.title}
            offer(Proposal(Meeting.Kind.SUPPLIER, buyer, solution.organization, need,
                           "; ".join([reason, *item.reasons]), item.match.score, solution=solution))
    return sorted(found.values(), key=lambda item: (item.kind, -item.score, item.second.name))


def _strong_matches(need, user) -> dict[str, list]:
    """The need's matches that its page shows first, by kind: those close to the kind's best (the margin of
    search/calibration.py) and those the owner confirmed. The weaker ones are no reason to meet."""
    shown = [item for item in shown_matches(need, user) if item.kind in ("need", "solution")]
    return {group.strong[0].kind: group.strong for group in grouped(shown) if group.strong}


@transaction.atomic
def propose(dialogue: Dialogue, *, user=None) -> list[Meeting]:
    """Stores the proposed meetings (see the module's docstring); returns the dialogue's whole table."""
    existing = {(meeting.first_id, meeting.second_id): meeting
                for meeting in Meeting.objects.select_for_update().filter(dialogue=dialogue)}
    to_create, to_update = [], []
    for proposal in proposals(dialogue, user):
        key = (proposal.first.pk, proposal.second.pk)
        meeting = existing.get(key) or existing.get((key[1], key[0]))
        values = {"kind": proposal.kind, "need": proposal.need, "other_need": proposal.other_need,
                  "solution": proposal.solution, "reason": proposal.reason[:REASON_LENGTH],
                  "score": round(proposal.score, 6)}
        if meeting is None:
            to_create.append(Meeting(dialogue=dialogue, first=proposal.first, second=proposal.second, **values))
        elif not meeting.by_hand:
            for name, value in values.items():
                setattr(meeting, name, value)
            to_update.append(meeting)
    Meeting.objects.bulk_create(to_create)
    Meeting.objects.bulk_update(to_update, ["kind", "need", "other_need", "solution", "reason", "score"])
    return list(dialogue.meetings.all())


@dataclass
class Row:
    meeting: Meeting
    registered: bool      # the other organization is registered for the dialogue


def table(dialogue: Dialogue) -> list[Row]:
    """The matchmaking table as the organizers see it: buyers first, then suppliers; within each, the
    meetings with registered organizations first, closest first."""
    registered = set(dialogue.registrations.active().values_list("organization_id", flat=True))
    meetings = dialogue.meetings.select_related("first", "second", "need", "other_need", "solution")
    rows = [Row(meeting, meeting.second_id in registered) for meeting in meetings]
    order = {Meeting.Kind.BUYERS: 0, Meeting.Kind.SUPPLIER: 1}
    return sorted(rows, key=lambda row: (order.get(row.meeting.kind, 2), row.meeting.removed, not row.registered,
                                         -row.meeting.score, row.meeting.pk))
