"""Who may see and change a need, join it, and see what was proposed to it. Every view, API endpoint
and command asks here (docs/permissions.md has the matrix the tests check).

- public needs are seen by everyone; buyers-only needs by people in a public buyer, curators and admins;
- the buyer's editors edit the need, change its status, decide on its matches and form a buyer group;
- editors of other buyers say "we have this need too" on an open need;
- suppliers answer an open need with a proposal, seen by the need's owner, its buyer group and curators.
Refusals are 404 when the user may not know the need exists, 403 when they can see it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from delbar.accounts.roles import roles_of
from delbar.needs.models import Need, NeedStatus, Visibility


def is_owner(user, need: Need) -> bool:
    return need.organization_id in roles_of(user).editor_org_ids


def can_view(user, need: Need) -> bool:
    roles = roles_of(user)
    if need.visibility == Visibility.PUBLIC or roles.is_curator or roles.is_buyer:
        return True
    return is_owner(user, need)


def can_edit(user, need: Need) -> bool:
    return is_owner(user, need) or roles_of(user).is_admin


def can_curate(user, need: Need) -> bool:
    """Form buyer groups and see proposals: the owner and curators."""
    return can_edit(user, need) or roles_of(user).is_curator


def in_buyer_group(user, need: Need) -> bool:
    from delbar.groups.models import GroupMember

    org_ids = roles_of(user).editor_org_ids
    return bool(org_ids) and GroupMember.objects.filter(group__need=need, organization_id__in=org_ids).exists()


def can_see_proposals(user, need: Need) -> bool:
    """All proposals: the owner, its buyer group and curators. A supplier sees its own elsewhere."""
    return can_curate(user, need) or in_buyer_group(user, need)


def can_join(user, need: Need) -> bool:
    """Editors of another buyer than the owner, while the need is open."""
    roles = roles_of(user)
    return need.status == NeedStatus.OPEN and bool(roles.editor_org_ids - {need.organization_id}) and bool(
        roles.editor_org_ids & roles.buyer_org_ids)


def can_propose(user, need: Need) -> bool:
    return need.status == NeedStatus.OPEN and bool(roles_of(user).supplier_org_ids)


def can_create(user) -> bool:
    roles = roles_of(user)
    return bool(roles.editor_org_ids & roles.buyer_org_ids) or roles.is_admin


def can_reuse(user, need: Need) -> bool:
    return can_create(user) and not is_owner(user, need)


CHECKS = {
    "view": can_view,
    "edit": can_edit,
    "curate": can_curate,
    "join": can_join,
    "propose": can_propose,
    "proposals": can_see_proposals,
    "reuse": can_reuse,
}


def allowed_actions(user, need: Need) -> set[str]:
    if not can_view(user, need):
        return set()
    return {name for name, check in CHECKS.items() if check(user, need)}


def get_need_for_user(user, pk, action: str = "view") -> Need:
    """The need if `user` may do `action` on it; 404 if they may not even see it, else 403."""
    try:
        need = Need.objects.select_related("organization", "sector").get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404("No such need.") from None
    if not can_view(user, need):
        raise Http404("No such need.")
    if not CHECKS[action](user, need):
        raise PermissionDenied(_("Your role does not allow it for this need."))
    return need
