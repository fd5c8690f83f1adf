from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.accounts.roles import roles_of
from delbar.cases.documents import EXTENSIONS
from delbar.orgs.models import CpvCode, Organization, Sector


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Category(models.TextChoices):
    IIA = "iia", _("Innovation-friendly procurement (IIA)")
    AAI = "aai", _("Procurement of innovation (AAI)")

    @property
    def explanation(self):
        return {
            "iia": _("Buying something new or better than before, from what the market can already offer or "
                     "develop within the contract."),
            "aai": _("Buying research and development of something that does not exist yet, often in phases "
                     "with several suppliers."),
        }[self.value]


class Procedure(models.TextChoices):
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    COMPETITIVE_DIALOGUE = "competitive-dialogue", _("Competitive dialogue")
    NEGOTIATED = "negotiated-with-notice", _("Competitive procedure with negotiation")
    INNOVATION_PARTNERSHIP = "innovation-partnership", _("Innovation partnership")
    PRE_COMMERCIAL = "pre-commercial", _("Pre-commercial procurement")
    SIMPLIFIED = "simplified-below-threshold", _("Simplified procedure below the EEA threshold")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    PARTIAL = "partial", _("Partly successful")
    FAILED = "failed", _("Failed")
    ONGOING = "ongoing", _("Ongoing")


def case_visibility(user, *, organization: str = "lead_buyer_id") -> Q:
    """Who may see a case: published cases for everyone; editors add their organizations' cases in any
    state; curators add everything that has been submitted at least once (never others' drafts).
    The one rule for Case rows and, with organization="organization_id", their search documents."""
    roles = roles_of(user)
    if roles.is_admin:
        return Q()
    visible = Q(status=Status.PUBLISHED)
    if roles.is_curator:
        visible |= Q(status__in=[Status.SUBMITTED, Status.ARCHIVED])
    if roles.editor_org_ids:
        visible |= Q(**{f"{organization}__in": roles.editor_org_ids})
    return visible


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def owned_by(self, org_ids):
        return self.filter(lead_buyer_id__in=org_ids)

    def visible_to(self, user):
        return self.filter(case_visibility(user))

    def for_listing(self):
        """For lists and cards: the long texts stay in the database, and the order matches an index."""
        return self.select_related("lead_buyer", "lead_buyer__county", "sector").defer(
            *Case.LONG_TEXT_FIELDS).order_by("-published_at", "-updated_at")


class Case(models.Model):
    """A buyer's story of one innovative procurement: the need, how it was bought, what came of it,
    what it cost and saved, what went wrong, and whom to ask. The unit everything else links to."""

    # Identity and workflow
    external_id = models.CharField(_("source identifier"), max_length=100, unique=True, null=True,
                                   blank=True, help_text=_("The id from an imported file; kept for re-imports."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    return_comment = models.TextField(_("comment from the curator"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reuses", verbose_name=_("based on"))

    # What
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("Two to four sentences: what was bought, and how it went."))
    need = models.TextField(_("the need"), blank=True, help_text=_("The problem, in your own words."))
    requirements = models.TextField(_("requirements"), blank=True,
                                    help_text=_("Functional requirements and award criteria, as used."))
    solution = models.TextField(_("the solution"), blank=True, help_text=_("What was procured or implemented."))
    category = models.CharField(_("category"), max_length=3, choices=Category.choices, blank=True)
    sector = models.ForeignKey(Sector, verbose_name=_("main sector"), on_delete=models.PROTECT,
                               related_name="cases")
    other_sectors = models.ManyToManyField(Sector, verbose_name=_("other sectors"), blank=True,
                                           related_name="secondary_cases")
    cpv_codes = models.ManyToManyField(CpvCode, verbose_name=_("CPV codes"), blank=True, related_name="cases")
    language = models.CharField(_("content language"), max_length=5, default="nb")

    # How it was bought, along the value chain
    procedure = models.CharField(_("procedure"), max_length=30, choices=Procedure.choices, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True,
                                            validators=[MinValueValidator(1990), MaxValueValidator(2100)],
                                            help_text=_("The year the contract was signed or the case started."))
    needs_assessment_date = models.DateField(_("needs assessment and market dialogue began"), null=True, blank=True)
    competition_date = models.DateField(_("competition announced"), null=True, blank=True)
    contract_date = models.DateField(_("contract signed"), null=True, blank=True)
    implementation_date = models.DateField(_("implementation began"), null=True, blank=True)
    evaluation_date = models.DateField(_("follow-up and evaluation"), null=True, blank=True)
    contract_value_nok = models.PositiveBigIntegerField(_("contract value (NOK, excl. VAT)"), null=True, blank=True)

    # Who
    lead_buyer = models.ForeignKey(Organization, verbose_name=_("lead buyer"), on_delete=models.PROTECT,
                                   related_name="led_cases")
    partner_buyers = models.ManyToManyField(Organization, verbose_name=_("partner buyers"), blank=True,
                                            related_name="partner_cases")
    suppliers = models.ManyToManyField(Organization, verbose_name=_("suppliers"), blank=True,
                                       related_name="supplied_cases",
                                       limit_choices_to={"kind": Organization.Kind.SUPPLIER})

    # What came of it
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    lessons = models.TextField(_("lessons: what worked"), blank=True)
    what_went_wrong = models.TextField(_("lessons: what did not work"), blank=True)

    # Rogers' five attributes of an innovation, which decide how fast others take it up
    relative_advantage = models.TextField(_("relative advantage"), blank=True,
                                          help_text=_("How much better is it than what it replaced?"))
    compatibility = models.TextField(_("compatibility"), blank=True,
                                     help_text=_("How well does it fit existing systems, routines and values?"))
    complexity = models.TextField(_("complexity"), blank=True,
                                  help_text=_("How hard is it to procure, implement and use?"))
    trialability = models.TextField(_("trialability"), blank=True,
                                    help_text=_("Can others try it on a small scale first?"))
    observability = models.TextField(_("observability"), blank=True,
                                     help_text=_("Where can others see it working?"))

    objects = CaseQuerySet.as_manager()

    ROGERS_FIELDS = ("relative_advantage", "compatibility", "complexity", "trialability", "observability")
    LONG_TEXT_FIELDS = ("need", "requirements", "solution", "lessons", "what_went_wrong", "return_comment",
                        *ROGERS_FIELDS)
    # How much each field weighs in lexical search: title > summary (and who bought it, under which
    # CPV codes: identifiers) > need and solution > the rest, answered questions included.
    # cases/search.py reads this.
    SEARCH_WEIGHTS = {
        "A": ("title",),
        "B": ("summary", "search_identifiers"),
        "C": ("need", "solution"),
        "D": ("requirements", "lessons", "what_went_wrong", *ROGERS_FIELDS, "search_answers"),
    }
    PHASE_FIELDS = ("needs_assessment_date", "competition_date", "contract_date", "implementation_date",
                    "evaluation_date")

    class Meta:
        ordering = ["-published_at", "-updated_at"]
        # Lists and the open counts read only these columns; the indexes cover them, so the wide text
        # rows are never scanned (bench/bench_cases.py).
        indexes = [
            models.Index(fields=["status", "-published_at", "-updated_at"], name="case_listing"),
            models.Index(fields=["status", "lead_buyer"], name="case_status_buyer"),
            models.Index(fields=["status", "outcome"], name="case_status_outcome"),
            models.Index(fields=["sector", "status"], name="case_sector_status"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.pk])

    @property
    def interchange_id(self) -> str:
        return self.external_id or f"delbar-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def phases(self) -> list[tuple[str, object]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.PHASE_FIELDS]

    def rogers_attributes(self) -> list[tuple[str, str]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.ROGERS_FIELDS]


class Benefit(models.Model):
    """A realised or expected gain, with a number where there is one (benefit realisation)."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        TIME = "time", _("Time")
        QUALITY = "quality", _("Quality")
        CLIMATE = "climate", _("Climate and environment")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(_("kind of benefit"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True,
                            help_text=_("E.g. NOK per year, hours per week, tonnes CO₂e"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")

    def __str__(self) -> str:
        return self.description


class CaseLink(models.Model):
    """A link from a case to a notice (Doffin, TED) or a web page about it."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice (Doffin, TED)")
        WEB = "web", _("Web page")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind of link"), max_length=10, choices=Kind.choices, default=Kind.WEB)
    url = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("link text"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.title or self.url


class ContactPerson(models.Model):
    """Whom to ask. Personal data: stored only with the person's consent and deleted on request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    consent_given_at = models.DateTimeField(_("consent given"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


def document_upload_path(instance: "CaseDocument", filename: str) -> str:
    # The stored name never comes from the uploader: a random name under the case's folder.
    import uuid

    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{instance.extension}"


class CaseDocument(models.Model):
    """A file that lets others reuse the work: needs description, requirements, contract, report."""

    class Kind(models.TextChoices):
        NEEDS = "needs", _("Needs description")
        REQUIREMENTS = "requirements", _("Requirements specification")
        EVALUATION = "evaluation", _("Evaluation")
        CONTRACT = "contract", _("Contract")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind of document"), max_length=15, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="copies", verbose_name=_("copied from"))
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")


class CaseNetwork(models.Model):
    """A case offered to a network's collection: by its editors when they submit it (the network's
    curators then review it in their own queue), or by the network's curators when they add a published
    case. A network's collection is its members' published cases and these (networks/collection.py)."""

    class Via(models.TextChoices):
        SUBMISSION = "submission", _("Submitted to the network")
        CURATOR = "curator", _("Added by the network's curators")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="network_links")
    network = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="case_links",
                                limit_choices_to={"kind": Organization.Kind.NETWORK}, verbose_name=_("network"))
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.CURATOR)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "network"], name="case_once_per_network")]
        verbose_name = _("case in a network")
        verbose_name_plural = _("cases in networks")

    def __str__(self) -> str:
        return f"{self.case_id} in {self.network_id}"


class CaseRevision(models.Model):
    """A snapshot of a case after each change: who changed it, when, and which fields."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changed_fields = models.JSONField(default=list)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="revision_number_per_case")]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.case_id} r{self.number}"

    def changed_labels(self) -> list[str]:
        """The changed fields as the case form names them."""
        names = {field.name: str(field.verbose_name) for field in Case._meta.get_fields()
                 if hasattr(field, "verbose_name")}
        names.update(benefits=str(Benefit._meta.verbose_name_plural), links=str(CaseLink._meta.verbose_name_plural),
                     contacts=str(ContactPerson._meta.verbose_name_plural),
                     documents=str(CaseDocument._meta.verbose_name_plural))
        return [names.get(name, name) for name in self.changed_fields]
