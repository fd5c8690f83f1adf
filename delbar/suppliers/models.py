from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.accounts.roles import roles_of
from delbar.orgs.models import CpvCode, Organization, Sector

OFFERED = Q(active=True)


def solution_visibility(user, *, offered: Q = OFFERED) -> Q:
    """Who may see a solution: one on offer, everyone; a withdrawn one, its own supplier (and Delbar's
    administrators). The one rule for Solution rows and, given how a search document says "on offer",
    for their search documents."""
    roles = roles_of(user)
    if roles.is_admin:
        return Q()
    visible = offered
    if roles.supplier_org_ids:
        visible |= Q(organization_id__in=roles.supplier_org_ids)
    return visible


class SolutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(solution_visibility(user))


class Solution(models.Model):
    """A supplier's offer, with the published cases where it is in use."""

    organization = models.ForeignKey(Organization, verbose_name=_("supplier"), on_delete=models.PROTECT,
                                     related_name="solutions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("What it does, for whom, and what it takes."))
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="solutions")
    cpv_codes = models.ManyToManyField(CpvCode, verbose_name=_("CPV codes"), blank=True, related_name="solutions")
    cases = models.ManyToManyField("cases.Case", verbose_name=_("in use in these cases"), blank=True,
                                   related_name="solutions")
    language = models.CharField(_("content language"), max_length=5, default="nb")
    active = models.BooleanField(_("offered now"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SolutionQuerySet.as_manager()

    SEARCH_WEIGHTS = {"A": ("title",), "B": ("search_identifiers",), "C": ("description",), "D": ()}

    class Meta:
        ordering = ["title"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("solution_detail", args=[self.pk])


class Proposal(models.Model):
    """A supplier's answer to a need, seen only by the need's owner, its buyer group and curators."""

    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="proposals")
    organization = models.ForeignKey(Organization, verbose_name=_("supplier"), on_delete=models.PROTECT,
                                     related_name="proposals")
    solution = models.ForeignKey(Solution, verbose_name=_("solution"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="proposals")
    body = models.TextField(_("proposal"), max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["need", "organization"], name="one_proposal_per_supplier")]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return f"{self.organization} → {self.need}"
