"""Adoption: an organization took up a case's solution — the unit of diffusion.

An adoption is declared by the adopter, or proposed by Delbar from the data (proposals.py) and then
confirmed or dismissed by the adopter. The case's owner and curators confirm declarations. Declared
and confirmed adoptions count in every figure; proposals count only once the adopter says yes, and a
dismissed one is never proposed again.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import Organization


class AdoptionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by Delbar")
    DECLARED = "declared", _("Declared by the adopter")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class AdoptionRoute(models.TextChoices):
    SAME_SUPPLIER = "same-supplier", _("Bought from the same supplier")
    OWN_PROCUREMENT = "own-procurement", _("Own procurement, using the case's documents")
    JOINT_PROCUREMENT = "joint-procurement", _("Joint procurement")
    PILOT = "pilot", _("Pilot")


COUNTED_STATES = (AdoptionState.DECLARED, AdoptionState.CONFIRMED)


class AdoptionQuerySet(models.QuerySet):
    def counted(self):
        """The adoptions every figure counts: declared by the adopter, or confirmed."""
        return self.filter(state__in=COUNTED_STATES)

    def proposed(self):
        return self.filter(state=AdoptionState.PROPOSED)


class Adoption(models.Model):
    """An organization has taken up (or, when proposed, may have taken up) what a case describes."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="adoptions")
    organization = models.ForeignKey(Organization, verbose_name=_("adopter"), on_delete=models.CASCADE,
                                     related_name="adoptions")
    adopted_on = models.DateField(_("taken up on"))
    route = models.CharField(_("how"), max_length=20, choices=AdoptionRoute.choices, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AdoptionState.choices,
                             default=AdoptionState.DECLARED)
    note = models.TextField(_("note"), blank=True, help_text=_("What you took up, and what you changed."))
    # Evidence: the adopter's own notice, a later case of theirs, or a page about it.
    evidence_notice = models.ForeignKey("notices.Notice", verbose_name=_("notice"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="adoptions")
    evidence_case = models.ForeignKey("cases.Case", verbose_name=_("their case"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="adoption_evidence")
    evidence_url = models.URLField(_("web page"), max_length=500, blank=True)
    # Proposals: why Delbar thinks so ([{code, detail}]) and how strongly.
    reasons = models.JSONField(default=list, blank=True)
    score = models.FloatField(null=True, blank=True)

    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["adopted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "organization"], name="one_adoption_per_case_and_org")]
        # The observatory groups adoptions by state and date, and per case by date: both read only
        # these index columns (bench/bench_observatory.py).
        indexes = [
            models.Index(fields=["state", "adopted_on", "case", "organization"], name="adoption_by_date"),
            models.Index(fields=["case", "state", "adopted_on"], name="adoption_by_case"),
        ]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")

    def __str__(self) -> str:
        return f"{self.organization} ← {self.case}"

    def get_absolute_url(self) -> str:
        return reverse("case_diffusion", args=[self.case_id])

    @property
    def is_counted(self) -> bool:
        return self.state in COUNTED_STATES


def origin_date(case) -> dt.date | None:
    """When the case's own buyers took it up: the contract, else the start of its year, else publication."""
    if case.contract_date:
        return case.contract_date
    if case.year:
        return dt.date(case.year, 1, 1)
    return case.published_at.date() if case.published_at else None
