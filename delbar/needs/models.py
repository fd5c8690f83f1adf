from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.accounts.roles import roles_of
from delbar.orgs.models import CpvCode, Organization, Sector


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROCUREMENT = "in-procurement", _("In procurement")
    SOLVED = "solved", _("Solved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    BUYERS = "buyers", _("Public buyers and curators only")


PUBLIC_NEED = Q(visibility=Visibility.PUBLIC)
BUYERS_ONLY_NEED = Q(visibility=Visibility.BUYERS)


def need_visibility(user, *, public: Q = PUBLIC_NEED, buyers_only: Q = BUYERS_ONLY_NEED) -> Q:
    """Who may see a need: public needs for everyone; buyers-only needs for people in a public buyer and
    for curators; an organization's editors always see its own needs. The one rule for Need rows and,
    given how a search document says public and buyers-only, for their search documents."""
    roles = roles_of(user)
    if roles.is_admin or roles.is_curator:
        return Q()
    visible = public
    if roles.is_buyer:
        visible |= buyers_only
    if roles.editor_org_ids:
        visible |= Q(organization_id__in=roles.editor_org_ids)
    return visible


class NeedQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=NeedStatus.OPEN)

    def visible_to(self, user):
        return self.filter(need_visibility(user))


class Need(models.Model):
    """A buyer's problem, in its own words, posted so that Delbar can answer with earlier cases,
    other buyers with the same need now, and suppliers' solutions."""

    external_id = models.CharField(_("source identifier"), max_length=100, unique=True, null=True, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("buyer"), on_delete=models.PROTECT,
                                     related_name="needs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("the need"), help_text=_(
        "The problem in your own words: what is hard today, for whom, and what would be better. "
        "Describe the need, not a product."))
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="needs")
    cpv_codes = models.ManyToManyField(CpvCode, verbose_name=_("CPV codes"), blank=True, related_name="needs")
    language = models.CharField(_("content language"), max_length=5, default="nb")
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True,
                                 help_text=_("When you would like a solution in place."))
    budget_min_nok = models.PositiveBigIntegerField(_("budget from (NOK)"), null=True, blank=True)
    budget_max_nok = models.PositiveBigIntegerField(_("budget up to (NOK)"), null=True, blank=True)
    open_for_joint_procurement = models.BooleanField(_("open for joint procurement"), default=True)
    visibility = models.CharField(_("who may see it"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    status = models.CharField(_("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    # Reuse: a need started from someone's case or need keeps the link, so the origin sees its reach.
    # When its matches were last computed; None while the first computation waits in the task queue.
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True, editable=False)
    based_on_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="needs_started", verbose_name=_("started from case"))
    based_on_need = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="needs_started", verbose_name=_("started from need"))

    objects = NeedQuerySet.as_manager()

    SEARCH_WEIGHTS = {"A": ("title",), "B": ("search_identifiers",), "C": ("description",), "D": ()}

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_min_nok__isnull=True) | Q(budget_max_nok__isnull=True)
                                   | Q(budget_min_nok__lte=models.F("budget_max_nok")), name="need_budget_range"),
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("need_detail", args=[self.pk])

    @property
    def interchange_id(self) -> str:
        return self.external_id or f"delbar-need-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == NeedStatus.OPEN


class NeedInterest(models.Model):
    """"We have this need too": another buyer joins a need as interested, the first step to buying together."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="interests")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="need_interests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["need", "organization"], name="one_interest_per_org")]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return f"{self.organization} → {self.need}"


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class Match(models.Model):
    """Something Delbar found for a need — a case, another need, a solution — with why. The owner's
    confirmations and dismissals are kept across recomputations: they are the feedback."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    score = models.FloatField()
    similarity = models.FloatField(null=True)
    reasons = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=MatchState.choices, default=MatchState.SUGGESTED)
    current = models.BooleanField(default=True, help_text="Found by the latest computation.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["need", "kind", "object_id"], name="one_match_per_object")]
        indexes = [models.Index(fields=["kind", "object_id"], name="match_target")]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.need_id} → {self.kind} {self.object_id}"
