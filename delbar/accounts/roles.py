"""What a user is, as the access helpers ask it: which organizations they edit for, and whether they
curate or administer. One place, so every access helper reads roles the same way."""

from functools import cached_property
from typing import NamedTuple

from delbar.accounts.models import Role
from delbar.orgs.models import Organization


class _Membership(NamedTuple):
    org_id: int
    role: str
    kind: str  # the organization's
    maalform: str  # the organization's written language, blank where unknown


class Roles:
    """The roles of one user, read once per request."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _memberships(self) -> list[_Membership]:
        if not self.user.is_authenticated:
            return []
        # A pending membership (a request waiting for approval) grants nothing.
        return [_Membership(*row) for row in self.user.memberships.active().values_list(
            "organization_id", "role", "organization__kind", "organization__maalform")]

    @property
    def is_admin(self) -> bool:
        return self.user.is_authenticated and (
            self.user.is_superuser or any(m.role == Role.ADMIN for m in self._memberships))

    @property
    def is_curator(self) -> bool:
        return self.is_admin or any(m.role == Role.CURATOR for m in self._memberships)

    @property
    def member_org_ids(self) -> set[int]:
        """Every organization the user acts for, whatever the role (pending requests excluded)."""
        return {m.org_id for m in self._memberships}

    @property
    def org_admin_org_ids(self) -> set[int]:
        """Organizations whose own administrator the user is: they approve who acts for it."""
        return {m.org_id for m in self._memberships if m.role == Role.ORG_ADMIN}

    @property
    def editor_org_ids(self) -> set[int]:
        """An organization's administrator also writes for it."""
        return {m.org_id for m in self._memberships if m.role in (Role.EDITOR, Role.ORG_ADMIN)}

    @property
    def supplier_org_ids(self) -> set[int]:
        return {m.org_id for m in self._memberships
                if m.role in (Role.EDITOR, Role.SUPPLIER, Role.ORG_ADMIN) and m.kind == Organization.Kind.SUPPLIER}

    @property
    def network_org_ids(self) -> set[int]:
        """Networks the user curates: those whose editors, administrators or curators they are. A
        network's own curators act within it only (networks/access.py); `is_curator` is Delbar-wide."""
        return {m.org_id for m in self._memberships
                if m.kind == Organization.Kind.NETWORK and m.role in (Role.EDITOR, Role.ORG_ADMIN, Role.CURATOR)}

    @property
    def buyer_org_ids(self) -> set[int]:
        """Organizations the user belongs to that are public buyers, whatever the role."""
        return {m.org_id for m in self._memberships if m.kind in Organization.BUYER_KINDS}

    @property
    def maalforms(self) -> set[str]:
        """The written languages (Organization.Maalform) of the organizations the user acts for, where known."""
        return {m.maalform for m in self._memberships if m.maalform}

    @property
    def is_buyer(self) -> bool:
        return bool(self.buyer_org_ids)

    @property
    def is_editor(self) -> bool:
        return bool(self.editor_org_ids)


def roles_of(user) -> Roles:
    """Cached on the user object so one request reads memberships once."""
    roles = getattr(user, "_delbar_roles", None)
    if roles is None:
        roles = Roles(user)
        if user.is_authenticated:
            user._delbar_roles = roles
    return roles
