"""Who may let whom act for an organization. Pages, the admin and the API ask here, nowhere else.

| role granted or removed | in which organizations | by whom |
|---|---|---|
| editor | public buyers and networks | the organization's administrators, Delbar's administrators |
| supplier | suppliers | the organization's administrators, Delbar's administrators |
| organization administrator | any | the organization's administrators, Delbar's administrators |
| curator | networks (KS, LUP, DFØ, regional networks) | Delbar's administrators |
| Delbar administrator | any | Delbar's administrators |

Curators curate content; they grant no roles. Nobody grants themselves a role they do not have. The last
administrator of an organization does not step down or leave by accident (Delbar's administrators may).
Members see who else acts for their organization, and the history of grants and removals; others do not.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from delbar.accounts.models import Membership, Role
from delbar.accounts.people import org_admins_of
from delbar.accounts.roles import roles_of
from delbar.orgs.models import Organization

DELBAR_ROLES = {Role.CURATOR, Role.ADMIN}


def roles_for(organization: Organization) -> list[str]:
    """The roles that exist in an organization of this kind."""
    if organization.kind == Organization.Kind.SUPPLIER:
        return [Role.SUPPLIER, Role.ORG_ADMIN, Role.ADMIN]
    if organization.kind == Organization.Kind.NETWORK:
        return [Role.EDITOR, Role.ORG_ADMIN, Role.CURATOR, Role.ADMIN]
    return [Role.EDITOR, Role.ORG_ADMIN, Role.ADMIN]


def is_org_admin(user, organization: Organization) -> bool:
    return organization.pk in roles_of(user).org_admin_org_ids


def can_manage_members(user, organization: Organization) -> bool:
    """Approves requests and grants the organization's own roles."""
    return is_org_admin(user, organization) or roles_of(user).is_admin


def can_see_members(user, organization: Organization) -> bool:
    roles = roles_of(user)
    return organization.pk in roles.member_org_ids or roles.is_admin


def can_grant(user, organization: Organization, role: str) -> bool:
    if role not in roles_for(organization):
        return False
    if role in DELBAR_ROLES:
        return roles_of(user).is_admin
    return can_manage_members(user, organization)


def grantable_roles(user, organization: Organization) -> list[str]:
    return [role for role in roles_for(organization) if can_grant(user, organization, role)]


def check_grant(user, organization: Organization, role: str) -> None:
    if not can_grant(user, organization, role):
        raise PermissionDenied(_("You may not give the role “%(role)s” in %(organization)s.")
                               % {"role": Role(role).label, "organization": organization.name})


def leaves_without_admin(user, membership: Membership) -> bool:
    """True when the organization's last administrator gives up that role herself."""
    return (membership.role == Role.ORG_ADMIN and membership.user_id == user.pk
            and not org_admins_of(membership.organization_id).exclude(pk=user.pk).exists())


def can_remove(user, membership: Membership) -> bool:
    return (can_grant(user, membership.organization, membership.role)
            and not leaves_without_admin(user, membership))
