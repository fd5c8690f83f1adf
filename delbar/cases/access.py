"""Who may see and change a case. Every view, API endpoint and command asks here, nowhere else.

The rules, in one table (docs/permissions.md has the full matrix the tests check):
- everyone, anonymous included, sees published cases and downloads their documents;
- an editor sees and edits all cases led by their own organizations, submits drafts, archives;
- a curator (KS, LUP, DFØ, a regional network) sees submitted and archived cases too, edits them,
  and publishes or returns submissions; nobody but the owner and admins sees a draft;
- a network's own curator (Roles.network_org_ids: an editor, administrator or curator of the network's
  organization) sees, edits, publishes and returns a submitted case that was submitted to that network
  (CaseNetwork), and nothing more: not another network's submissions, nor the case once it is a draft
  or archived (docs/networks.md);
- an admin may do everything.
Refusals are 404 when the user may not know the case exists, 403 when they can see it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from delbar.accounts.roles import roles_of
from delbar.cases.models import Case, CaseNetwork, Status


def is_owner(user, case: Case) -> bool:
    return case.lead_buyer_id in roles_of(user).editor_org_ids


def reviews_for_network(user, case: Case) -> bool:
    """A submitted case offered to a network that `user` curates (its own curators' queue)."""
    networks = roles_of(user).network_org_ids
    return bool(networks) and case.status == Status.SUBMITTED and CaseNetwork.objects.filter(
        case_id=case.pk, network_id__in=networks).exists()


def can_view(user, case: Case) -> bool:
    roles = roles_of(user)
    if case.status == Status.PUBLISHED or roles.is_admin or is_owner(user, case):
        return True
    if roles.is_curator:
        return case.status in (Status.SUBMITTED, Status.ARCHIVED)
    return reviews_for_network(user, case)


def can_edit(user, case: Case) -> bool:
    roles = roles_of(user)
    if roles.is_admin:
        return True
    if is_owner(user, case) and case.status in (Status.DRAFT, Status.PUBLISHED):
        return True
    if roles.is_curator:
        return case.status in (Status.SUBMITTED, Status.PUBLISHED)
    return reviews_for_network(user, case)


def can_submit(user, case: Case) -> bool:
    return case.status == Status.DRAFT and (is_owner(user, case) or roles_of(user).is_admin)


def can_publish(user, case: Case) -> bool:
    if case.status in (Status.SUBMITTED, Status.ARCHIVED) and roles_of(user).is_curator:
        return True
    return reviews_for_network(user, case)


def can_return(user, case: Case) -> bool:
    return case.status == Status.SUBMITTED and (roles_of(user).is_curator or reviews_for_network(user, case))


def can_archive(user, case: Case) -> bool:
    return case.status == Status.PUBLISHED and (is_owner(user, case) or roles_of(user).is_curator)


def can_delete(user, case: Case) -> bool:
    return case.status == Status.DRAFT and (is_owner(user, case) or roles_of(user).is_admin)


def writes_for_a_buyer(user) -> bool:
    """An editor of a public buyer: a network's editors curate it, they write no cases for it."""
    roles = roles_of(user)
    return bool(roles.editor_org_ids & roles.buyer_org_ids)


def can_reuse(user, case: Case) -> bool:
    return case.status == Status.PUBLISHED and writes_for_a_buyer(user)


def can_create(user) -> bool:
    return writes_for_a_buyer(user) or roles_of(user).is_admin


CHECKS = {
    "view": can_view,
    "edit": can_edit,
    "submit": can_submit,
    "publish": can_publish,
    "return": can_return,
    "archive": can_archive,
    "delete": can_delete,
    "reuse": can_reuse,
    "download": can_view,
}


def allowed_actions(user, case: Case) -> set[str]:
    return {name for name, check in CHECKS.items() if check(user, case)}


def get_case_for_user(user, pk, action: str = "view") -> Case:
    """The case if `user` may do `action` on it; 404 if they may not even see it, else 403."""
    try:
        case = Case.objects.select_related("lead_buyer", "sector").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None
    if not can_view(user, case):
        raise Http404("No such case.")
    if not CHECKS[action](user, case):
        raise PermissionDenied(_("Your role does not allow it for this case."))
    return case
