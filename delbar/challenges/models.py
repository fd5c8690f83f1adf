"""Innovation competitions ("challenges"): a buyer, a buyer group or a network states a problem, suppliers
compete in phases (feasibility, prototype, pilot), appointed evaluators score the applications against
weighted criteria, the owner awards the best of each phase and invites them to the next, and when the
challenge ends its result is published as a case others can take up (report ch. 7: SBRI, SBIR).

Who may see and do what is in access.py; every change goes through actions.py."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import EXTENSIONS
from delbar.orgs.models import CpvCode, Organization, Sector

# The scale an evaluator scores each criterion on (0 = does not meet it, 10 = fully and convincingly).
SCORE_MAX = 10


class Route(models.TextChoices):
    """The legal routes for an innovation competition (anskaffelsesforskriften; the EU's PCP communication)."""
    PRE_COMMERCIAL = "pre-commercial", _("Pre-commercial procurement")
    INNOVATION_PARTNERSHIP = "innovation-partnership", _("Innovation partnership")
    DESIGN_CONTEST = "design-contest", _("Design contest")


# A short, plain explanation of each route and when it fits; shown beside the choice and on the page.
ROUTE_EXPLANATIONS = {
    Route.PRE_COMMERCIAL: _(
        "You buy research and development, not a product: several suppliers are paid to develop competing "
        "solutions in phases, and the best go on. It is outside the procurement rules (the EEA exception "
        "for R&D services) as long as you do not also buy the finished product in the same contract. Fits "
        "when nothing on the market solves the problem yet and you want to share the risk."),
    Route.INNOVATION_PARTNERSHIP: _(
        "One procedure covers both developing the solution and buying it: you choose one or more partners, "
        "develop in phases with agreed goals, and may buy the result without a new competition. Fits when "
        "you expect to buy what is developed and want to avoid a second procurement."),
    Route.DESIGN_CONTEST: _(
        "Suppliers submit plans or designs, a jury judges them anonymously, and the winners get a prize or "
        "a contract to carry the idea out. Fits when you want ideas and concepts rather than a working "
        "product, such as architecture, planning or service design."),
}


PUBLISHED_CHALLENGE = models.Q(published_at__isnull=False, cancelled_at__isnull=True)


def challenge_visibility(user, *, published: models.Q = PUBLISHED_CHALLENGE) -> models.Q:
    """Which challenges a person finds in lists, search and alerts: the published ones not cancelled,
    whoever asks (a draft is reached by its owners from their own pages, never found). The one rule for
    Challenge rows and, given how a search document says "published", for their search documents."""
    return published


class ChallengeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(PUBLISHED_CHALLENGE)

    def visible_to(self, user):
        return self.filter(challenge_visibility(user))


class Challenge(models.Model):
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"), max_length=5000,
                               help_text=_("The problem in your own words: who has it, and what it costs today."))
    success = models.TextField(_("what success looks like"), max_length=3000, help_text=_(
        "Measurable: what a solution must achieve, and how you will know (for example: fewer night visits, "
        "counted for three months)."))
    eligibility = models.TextField(_("who may apply"), max_length=3000, blank=True, help_text=_(
        "For example: companies of any size, alone or as a consortium; research partners allowed."))
    route = models.CharField(_("legal route"), max_length=30, choices=Route.choices, default=Route.PRE_COMMERCIAL)
    # Who owns it: a buyer (whose editors run it), and where it grew from.
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="owned_challenges",
                              verbose_name=_("owner"))
    need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="challenges", verbose_name=_("need"))
    group = models.ForeignKey("groups.BuyerGroup", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="challenges", verbose_name=_("buyer group"))
    network = models.ForeignKey("networks.Network", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="challenges", verbose_name=_("network"))
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("sector"))
    cpv_codes = models.ManyToManyField(CpvCode, blank=True, related_name="challenges", verbose_name=_("CPV codes"))
    # The competition's notice on Doffin or TED, once published.
    notice = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="challenges", verbose_name=_("notice"))
    notice_url = models.URLField(_("Doffin or TED notice"), blank=True)
    # A draft (unpublished) is seen by its owners only.
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_in_contract = models.BooleanField(_("ended in a contract"), null=True, blank=True, help_text=_(
        "Did a buyer sign a contract for the solution (or an option to buy it) when the challenge ended?"))
    # The case published from it when it ended (actions.publish_case).
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="challenges", verbose_name=_("case"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenge_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def route_explanation(self) -> str:
        return ROUTE_EXPLANATIONS.get(self.route, "")

    def total_weight(self) -> int:
        return sum(criterion.weight for criterion in self.criteria.all())

    def current_phase(self, now=None):
        """The phase open for applications or being evaluated; else the next to open; else the last."""
        now = now or timezone.now()
        phases = list(self.phases.all())
        for phase in phases:
            if phase.decided_at is None and phase.opens_at <= now:
                return phase
        upcoming = [phase for phase in phases if phase.opens_at > now]
        return upcoming[0] if upcoming else (phases[-1] if phases else None)

    def buyer_ids(self) -> set[int]:
        """The buyers taking part: the owner and, for a buyer group's challenge, its members."""
        ids = {self.owner_id}
        if self.group_id:
            ids.add(self.group.lead_id)
            ids |= set(self.group.members.values_list("organization_id", flat=True))
        return ids


class Phase(models.Model):
    class Kind(models.TextChoices):
        FEASIBILITY = "feasibility", _("Feasibility study")
        PROTOTYPE = "prototype", _("Prototype")
        PILOT = "pilot", _("Pilot")
        CONCEPT = "concept", _("Concepts and designs")

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Not open yet")
        OPEN = "open", _("Open for applications")
        EVALUATION = "evaluation", _("Being evaluated")
        DECIDED = "decided", _("Decided")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("phase"))
    kind = models.CharField(_("kind of phase"), max_length=20, choices=Kind.choices, default=Kind.FEASIBILITY)
    description = models.TextField(_("what the phase delivers"), max_length=3000, blank=True)
    budget_nok = models.PositiveBigIntegerField(_("budget for the phase (NOK)"), null=True, blank=True)
    max_awards = models.PositiveSmallIntegerField(_("how many may go on"), null=True, blank=True,
                                                  help_text=_("Blank for no fixed number."))
    opens_at = models.DateTimeField(_("call opens"))
    closes_at = models.DateTimeField(_("applications close"))
    evaluation_until = models.DateField(_("evaluation until"), null=True, blank=True)
    awards_by = models.DateField(_("awards by"), null=True, blank=True)
    # Only the previous phase's awardees may apply (the SBRI model); phase 1 is open to every supplier.
    invited_only = models.BooleanField(_("only the previous phase's awardees may apply"), default=False)
    # The result: agreed by the owner with a justification, then sent to every applicant at once.
    justification = models.TextField(_("justification of the result"), max_length=10000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["challenge", "number"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="one_phase_per_number"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="phase_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} – {self.number}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.decided_at is not None:
            return self.State.DECIDED
        if now < self.opens_at:
            return self.State.UPCOMING
        if now <= self.closes_at:
            return self.State.OPEN
        return self.State.EVALUATION

    @property
    def is_open(self) -> bool:
        return self.state() == self.State.OPEN

    @property
    def results_published(self) -> bool:
        return self.notified_at is not None

    def previous(self):
        return self.challenge.phases.filter(number__lt=self.number).order_by("-number").first()


class Criterion(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what the evaluators look for"), max_length=2000, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"),
                                              validators=[MinValueValidator(1), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status=Application.Status.WITHDRAWN)

    def awarded(self):
        return self.filter(status=Application.Status.AWARDED)


class Application(models.Model):
    """A supplier's (or a consortium's, one lead) application to one phase. Read by the owner, the
    appointed evaluators and the applicants' own people; never by another applicant."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not-awarded", _("Not awarded")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="applications")
    lead = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="challenge_applications",
                             verbose_name=_("lead applicant"))
    partners = models.ManyToManyField(Organization, blank=True, related_name="challenge_partnerships",
                                      verbose_name=_("consortium partners"))
    solution = models.ForeignKey("suppliers.Solution", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("solution it builds on"))
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=3000, help_text=_("What you propose, in a few sentences."))
    approach = models.TextField(_("how you will solve the problem"), max_length=10000)
    innovation = models.TextField(_("what is new"), max_length=5000,
                                  help_text=_("What your solution does that nothing on the market does today."))
    team = models.TextField(_("team and experience"), max_length=5000)
    plan = models.TextField(_("plan and milestones"), max_length=5000)
    amount_nok = models.PositiveBigIntegerField(_("amount applied for (NOK)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    awarded_nok = models.PositiveBigIntegerField(_("amount awarded (NOK)"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["phase", "lead"], name="one_application_per_lead")]

    def __str__(self) -> str:
        return f"{self.lead}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("application_detail", args=[self.phase.challenge_id, self.pk])

    def applicant_ids(self) -> set[int]:
        return {self.lead_id, *(partner.pk for partner in self.partners.all())}


def application_document_path(instance: "ApplicationDocument", filename: str) -> str:
    return f"challenges/{instance.application.phase.challenge_id}/{uuid.uuid4().hex}{instance.extension}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=application_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")


class Evaluator(models.Model):
    """A person the owner appointed to score the applications, acting for a buyer of the group or network."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="evaluators")
    # SET_NULL: scores given stay part of the decision on the record after the person's account is deleted.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="challenge_evaluations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("acting for"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appointed_at", "id"]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="one_evaluator_per_person")]

    def __str__(self) -> str:
        return f"{self.user} ({self.organization})"


class Evaluation(models.Model):
    """One evaluator's view of one application: a declaration of interests first, then (without a
    conflict) a score per criterion. Scored alone: an evaluator sees the others' scores only once her own
    is submitted; the owner sees them all side by side."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="evaluations")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evaluations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    conflict_note = models.TextField(_("the conflict"), max_length=2000, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("overall comment"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [models.UniqueConstraint(fields=["evaluator", "application"], name="one_evaluation_per_pair")]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.application}"

    def weighted_score(self) -> float | None:
        """The weighted score on the 0–SCORE_MAX scale, or None until every criterion is scored."""
        scores = {score.criterion_id: score.value for score in self.scores.all()}
        criteria = list(self.application.phase.challenge.criteria.all())
        if not criteria or any(criterion.pk not in scores for criterion in criteria):
            return None
        total = sum(criterion.weight for criterion in criteria)
        return sum(scores[criterion.pk] * criterion.weight for criterion in criteria) / total


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(SCORE_MAX)])
    note = models.TextField(_("why"), max_length=3000, blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(value__lte=SCORE_MAX), name="score_within_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class ChallengeQuestion(models.Model):
    """A question on a challenge, answered once, in public, for every applicant."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    body = models.TextField(_("question"), max_length=2000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.body[:80]
