"""Who may do what in a network. Pages, the API, feeds and e-mails ask here, nowhere else.

- view the network's public pages, feed and embeddable list: everyone;
- curate (edit the network, add and remove cases, post news, approve members, review its queue): the
  network's own curators (people acting for the network's organization), Delbar's curators and admins;
- the members' area (members-only news, documents, discussion): people of member organizations, the
  network's own curators and Delbar's administrators; nobody else, Delbar's curators included;
- ask to join: editors and administrators of a public buyer (of a supplier too, where the network
  takes suppliers) that is not yet a member or waiting.

A network's own curators act within their network only: curating one network gives no rights in
another, nor over cases outside it (cases/access.py: they review what was submitted to their network).
Refusals are 404 for members-only items (nobody learns they exist), 403 for the rest.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from delbar.accounts.models import Membership, Role
from delbar.accounts.roles import roles_of
from delbar.networks.models import Network, NetworkMember
from delbar.orgs.models import Organization


def curates_own(user, network: Network) -> bool:
    """A curator of this network itself (not merely a Delbar-wide curator)."""
    return network.organization_id in roles_of(user).network_org_ids


def can_curate(user, network: Network) -> bool:
    roles = roles_of(user)
    return roles.is_curator or curates_own(user, network)


def curated_networks(user):
    """The networks `user` may curate: their own, or every one for Delbar's curators."""
    roles = roles_of(user)
    networks = Network.objects.select_related("organization")
    return networks if roles.is_curator else networks.filter(organization_id__in=roles.network_org_ids)


def network_curators(network: Network):
    """The people who curate `network` itself (Roles.network_org_ids): told of submissions and join requests."""
    return get_user_model().objects.filter(
        is_active=True, memberships__organization_id=network.organization_id,
        memberships__role__in=[Role.EDITOR, Role.ORG_ADMIN, Role.CURATOR],
        memberships__status=Membership.Status.ACTIVE).distinct()


def member_org_ids(network: Network) -> set[int]:
    return set(network.members.active().values_list("organization_id", flat=True))


def is_member(user, network: Network) -> bool:
    orgs = roles_of(user).member_org_ids
    return bool(orgs) and network.members.active().filter(organization_id__in=orgs).exists()


def can_see_members_area(user, network: Network) -> bool:
    return roles_of(user).is_admin or curates_own(user, network) or is_member(user, network)


def news_for(user, network: Network):
    """The network's news `user` may read, newest first: members-only items only for those who may see the
    members' area."""
    news = network.news.all()
    return news if can_see_members_area(user, network) else news.filter(members_only=False)


def acting_member(user, network: Network) -> Organization | None:
    """The member organization `user` acts for in `network` (what their posts are signed with), if any."""
    member = network.members.active().filter(organization_id__in=roles_of(user).member_org_ids).select_related(
        "organization").first()
    return member.organization if member else None


def joinable_organizations(user, network: Network) -> list[Organization]:
    """The organizations `user` may ask to join `network` for: those they edit or administer, of a kind
    the network takes, not yet members or waiting."""
    roles = roles_of(user)
    kinds = list(Organization.BUYER_KINDS) + ([Organization.Kind.SUPPLIER] if network.accepts_suppliers else [])
    org_ids = roles.editor_org_ids | roles.supplier_org_ids | roles.org_admin_org_ids
    taken = network.members.values_list("organization_id", flat=True)
    return list(Organization.objects.filter(pk__in=org_ids, kind__in=kinds).exclude(pk__in=taken))


def can_join(user, network: Network) -> bool:
    return user.is_authenticated and bool(joinable_organizations(user, network))


def can_leave(user, member: NetworkMember) -> bool:
    roles = roles_of(user)
    return member.organization_id in (roles.editor_org_ids | roles.supplier_org_ids | roles.org_admin_org_ids)


CHECKS = {
    "view": lambda user, network: True,
    "curate": can_curate,
    "members": can_see_members_area,
    "join": can_join,
}


def allowed_actions(user, network: Network) -> set[str]:
    return {name for name, check in CHECKS.items() if check(user, network)}


def networks_of(user):
    """The networks `user` takes part in: as a member organization's person or as the network's curator."""
    roles = roles_of(user)
    if not user.is_authenticated:
        return Network.objects.none()
    member = NetworkMember.objects.active().filter(organization_id__in=roles.member_org_ids).values("network_id")
    return Network.objects.filter(
        Q(pk__in=member) | Q(organization_id__in=roles.network_org_ids)).select_related("organization")


def get_network_for_user(user, slug, action: str = "view") -> Network:
    """The network if `user` may do `action` in it: 404 for an unknown one or a members' area they may
    not know of, 403 otherwise."""
    try:
        network = Network.objects.select_related("organization").get(slug=slug)
    except (Network.DoesNotExist, ValueError, TypeError):
        raise Http404("No such network.") from None
    if not CHECKS[action](user, network):
        if action == "members":
            raise Http404("No such page.")
        raise PermissionDenied(_("Your role does not allow it in this network."))
    return network

