"""Who sees a buyer group and takes part: its members' people, curators and admins. Others get 404."""

from django.http import Http404

from delbar.accounts.roles import roles_of
from delbar.groups.models import BuyerGroup


def is_member(user, group: BuyerGroup) -> bool:
    org_ids = roles_of(user).buyer_org_ids
    return bool(org_ids) and group.members.filter(organization_id__in=org_ids).exists()


def can_view(user, group: BuyerGroup) -> bool:
    return roles_of(user).is_curator or is_member(user, group)


def can_manage(user, group: BuyerGroup) -> bool:
    """Change the stage and the members: the lead buyer's editors and curators."""
    return roles_of(user).is_curator or group.lead_id in roles_of(user).editor_org_ids


def get_group_for_user(user, pk, *, manage: bool = False) -> BuyerGroup:
    try:
        group = BuyerGroup.objects.select_related("lead", "need").get(pk=pk)
    except (BuyerGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group.") from None
    if not can_view(user, group) or (manage and not can_manage(user, group)):
        raise Http404("No such group.")
    return group
