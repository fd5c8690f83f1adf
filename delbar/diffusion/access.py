"""Who may declare, confirm, dismiss and withdraw adoptions, and who sees the curators' view.

- an editor of a public buyer declares that their organization took up a published case (not one of
  its own), and answers Delbar's proposals for their organization (yes: a declaration; no: dismissed);
- the case's owners (its lead buyer's editors) and curators confirm a declaration, or dismiss it;
- the adopter's editors withdraw their own declaration;
- everyone sees counted adoptions and every public figure; curators also see proposals, unconfirmed
  declarations and the list of municipalities not reached.
"""

from django.http import Http404

from delbar.accounts.roles import roles_of
from delbar.cases.models import Case
from delbar.diffusion.actions import originators
from delbar.diffusion.models import Adoption, AdoptionState
from delbar.orgs.models import Organization


def declarable_organizations(user, case: Case):
    """The organizations `user` may declare an adoption of `case` for."""
    editor_of = roles_of(user).editor_org_ids
    if not case.is_published or not editor_of:
        return Organization.objects.none()
    return Organization.objects.buyers().filter(pk__in=editor_of).exclude(
        pk__in=originators(case))


def is_curator(user) -> bool:
    return roles_of(user).is_curator


def owns_case(user, adoption: Adoption) -> bool:
    return adoption.case.lead_buyer_id in roles_of(user).editor_org_ids


def speaks_for_adopter(user, adoption: Adoption) -> bool:
    return adoption.organization_id in roles_of(user).editor_org_ids


def can_confirm(user, adoption: Adoption) -> bool:
    return adoption.state == AdoptionState.DECLARED and (is_curator(user) or owns_case(user, adoption))


def can_dismiss(user, adoption: Adoption) -> bool:
    if adoption.state == AdoptionState.PROPOSED:
        return speaks_for_adopter(user, adoption) or is_curator(user)
    return adoption.state == AdoptionState.DECLARED and (is_curator(user) or owns_case(user, adoption))


def can_accept(user, adoption: Adoption) -> bool:
    """Say yes to a proposal: only the adopter knows."""
    return adoption.state == AdoptionState.PROPOSED and speaks_for_adopter(user, adoption)


def can_withdraw(user, adoption: Adoption) -> bool:
    return adoption.is_counted and speaks_for_adopter(user, adoption)


DECISIONS = {"confirm": can_confirm, "dismiss": can_dismiss, "accept": can_accept, "withdraw": can_withdraw}


def may_decide(user, adoption: Adoption, decision: str) -> bool:
    return DECISIONS[decision](user, adoption)


def can_view(user, adoption: Adoption) -> bool:
    return adoption.is_counted or is_curator(user) or speaks_for_adopter(user, adoption) or (
        adoption.state == AdoptionState.DECLARED and owns_case(user, adoption))


def get_adoption_for_user(user, pk) -> Adoption:
    try:
        adoption = Adoption.objects.select_related("case", "organization").get(pk=pk)
    except (Adoption.DoesNotExist, ValueError, TypeError):
        raise Http404("No such adoption.") from None
    if not can_view(user, adoption) or not adoption.case.is_published:
        raise Http404("No such adoption.")
    return adoption
