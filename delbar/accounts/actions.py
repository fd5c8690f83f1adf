"""Who acts for an organization: requests, approvals, grants and removals. Each is atomic, checked by
accounts/access.py and written to the audit log against the organization, where its members read it."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delbar.accounts import access
from delbar.accounts.models import Membership, Role
from delbar.accounts.people import delbar_admins, org_admins_of
from delbar.alerts import notify
from delbar.audit import record


class MembershipError(ValueError):
    """A request the rules do not allow; the message says why."""


LAST_ADMIN = gettext_lazy("You are the organization's last administrator. Make someone else one first.")


def _audit(*, actor, action: str, membership: Membership, **data) -> None:
    record(actor=actor, action=action, obj=membership.organization, user=membership.user_id,
           username=membership.user.get_username(), role=membership.role, **data)


def approvers_of(organization):
    """The organization's administrators; Delbar's administrators when it has none yet."""
    admins = list(org_admins_of(organization.pk))
    return admins or list(delbar_admins())


@transaction.atomic
def request_membership(*, user, organization, role: str = "", source: str = Membership.Source.SIGNUP) -> Membership:
    """A person asks to act for an organization. Nothing is granted until an approver says yes.
    Asking again changes nothing; a person who already acts for it is told so."""
    role = role or (Role.SUPPLIER if organization.kind == organization.Kind.SUPPLIER else Role.EDITOR)
    if role not in (Role.EDITOR, Role.SUPPLIER) or role not in access.roles_for(organization):
        raise MembershipError(_("That role cannot be asked for in %(organization)s.") % {"organization": organization})
    existing = Membership.objects.filter(user=user, organization=organization).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(user=user, organization=organization, role=role,
                                           status=Membership.Status.PENDING, source=source)
    _audit(actor=user, action="membership.request", membership=membership, source=source)
    notify(approvers_of(organization), event=f"membership-request:{membership.pk}",
           title=_("%(person)s asks to act for %(organization)s") % {
               "person": user.get_full_name() or user.get_username(), "organization": organization.name},
           url=reverse("organization_members", args=[organization.pk]))
    return membership


def _check_decision(membership: Membership, actor) -> None:
    """Who may approve or decline a request is who may grant its role; a request is decided once."""
    access.check_grant(actor, membership.organization, membership.role)
    if not membership.is_pending:
        raise MembershipError(_("This request is already decided."))


@transaction.atomic
def approve_membership(*, membership: Membership, actor) -> Membership:
    _check_decision(membership, actor)
    membership.status = Membership.Status.ACTIVE
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_at"])
    _audit(actor=actor, action="membership.approve", membership=membership)
    notify([membership.user], event=f"membership-approved:{membership.pk}",
           title=_("You now act for %(organization)s") % {"organization": membership.organization.name},
           url=reverse("my_organization"))
    return membership


@transaction.atomic
def decline_membership(*, membership: Membership, actor) -> None:
    _check_decision(membership, actor)
    _audit(actor=actor, action="membership.decline", membership=membership)
    membership.delete()


@transaction.atomic
def grant_role(*, user, organization, role: str, actor) -> Membership:
    """Gives `user` the role in the organization, replacing any role they had there."""
    access.check_grant(actor, organization, role)
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if membership is not None and membership.role != role:
        access.check_grant(actor, organization, membership.role)  # a curator's role is not for an org admin
        if access.leaves_without_admin(actor, membership):
            raise MembershipError(LAST_ADMIN)
    previous = membership.role if membership else None
    if membership is None:
        membership = Membership(user=user, organization=organization)
    membership.role = role
    membership.status = Membership.Status.ACTIVE
    membership.decided_at = timezone.now()
    membership.save()
    _audit(actor=actor, action="membership.grant", membership=membership, previous_role=previous)
    notify([user], event=f"membership-grant:{membership.pk}:{role}",
           title=_("You now have the role %(role)s in %(organization)s") % {
               "role": Role(role).label, "organization": organization.name},
           url=reverse("my_organization"))
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership, actor) -> None:
    """Removes someone from an organization. The last administrator may not remove themselves, so an
    organization that had administrators is never left without one by accident."""
    organization = membership.organization
    access.check_grant(actor, organization, membership.role)
    if access.leaves_without_admin(actor, membership):
        raise MembershipError(LAST_ADMIN)
    _audit(actor=actor, action="membership.remove", membership=membership)
    membership.delete()


@transaction.atomic
def set_procurement_contact(*, organization, email: str, actor) -> None:
    if not access.can_manage_members(actor, organization):
        raise MembershipError(_("Only the organization's administrators set its contact address."))
    organization.procurement_contact = email
    organization.save(update_fields=["procurement_contact"])
    record(actor=actor, action="organization.contact", obj=organization, email=email)
