"""Changes suppliers make: their solutions and their proposals to needs."""

from django.db import transaction
from django.utils.translation import gettext as _

from delbar import search
from delbar.accounts.people import curators, editors_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.needs.models import Need, NeedStatus
from delbar.needs.tasks import refresh_later
from delbar.suppliers.models import Proposal, Solution


class SupplierError(ValueError):
    """A change the rules do not allow; the message says why, for the user."""


@transaction.atomic
def save_solution(*, actor, organization, fields: dict, cpv_codes=(), sectors=(), cases=(),
                  solution: Solution | None = None) -> Solution:
    solution = solution or Solution(organization=organization, created_by=actor)
    for name, value in fields.items():
        setattr(solution, name, value)
    if not solution.title.strip() or not solution.description.strip():
        raise SupplierError(_("A solution needs a title and a description."))
    solution.save()
    solution.cpv_codes.set(cpv_codes)
    solution.sectors.set(sectors)
    solution.cases.set(cases)
    record(actor=actor, action="solution.save", obj=solution, title=solution.title)
    search.index(solution)
    refresh_later("solution", [solution.pk])
    return solution


@transaction.atomic
def propose(*, need: Need, actor, organization, body: str, solution: Solution | None = None) -> Proposal:
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise SupplierError(_("This need is no longer open for proposals."))
    if not body.strip():
        raise SupplierError(_("Write what you propose."))
    if solution is not None and solution.organization_id != organization.pk:
        raise SupplierError(_("That solution belongs to another supplier."))
    if Proposal.objects.filter(need=need, organization=organization).exists():
        raise SupplierError(_("%(organization)s has already answered this need.") % {"organization": organization.name})
    proposal = Proposal.objects.create(need=need, organization=organization, solution=solution, body=body.strip(),
                                       author=actor)
    record(actor=actor, action="need.propose", obj=need, organization=organization.pk)
    title = _("New proposal from %(supplier)s to “%(need)s”") % {"supplier": organization.name, "need": need.title}
    event = f"proposal:{proposal.pk}"
    group_orgs = [member.organization_id for group in need.buyer_groups.all() for member in group.members.all()]
    notify(editors_of(need.organization_id, *group_orgs), event=event, title=title, url=need.get_absolute_url())
    notify(curators(), event=event, title=title, url=need.get_absolute_url())
    return proposal
