"""A network's collection: the published cases its active members lead, and the published cases offered to
it (CaseNetwork: submitted to the network and published, or added by its curators). One QuerySet, read by
the network's pages, its feed, its embeddable list and the API, so they never disagree; and its events,
the dialogues it or its members organize."""

from django.db.models import Q

from delbar.cases.models import Case, CaseNetwork
from delbar.dialogues.models import Dialogue
from delbar.networks.models import Network, NetworkMember


def collection(network: Network):
    """The collection's cases, published only, in no particular order (add `for_listing()` for lists)."""
    members = NetworkMember.objects.active().filter(network=network).values("organization_id")
    offered = CaseNetwork.objects.filter(network_id=network.organization_id).values("case_id")
    return Case.objects.published().filter(Q(lead_buyer_id__in=members) | Q(pk__in=offered))


def newest(network: Network, limit: int):
    """The collection's most recently published cases, for teasers, the feed and the embeddable list."""
    return collection(network).for_listing()[:limit]


def upcoming_events(network: Network):
    """Dialogues the network organizes and those its members organize, not yet over nor cancelled, soonest
    first. Dialogues are public (dialogues/access.py)."""
    members = NetworkMember.objects.active().filter(network=network).values("organization_id")
    return Dialogue.objects.filter(Q(network=network) | Q(organizer_id__in=members)).upcoming().select_related(
        "organizer")
