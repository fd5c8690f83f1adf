"""Notices: what buyers have published on Doffin and TED, imported and kept as published.

A row is one published version of a notice (key: see sources.model.ParsedNotice.key). Versions are
immutable; a correction arrives as a new row that supersedes the old one, so search and matching
only ever see `current` notices.
"""

import re

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.notices.sources.model import in_language
from delbar.orgs.models import County, Organization

# Doffin numbers notices year-serial ("2023-335407"); TED's publication numbers are serial-year ("329785-2021").
DOFFIN_ID = re.compile(r"(?<![\d-])(\d{4}-\d{6})(?![\d-])")

class Family(models.TextChoices):
    """eForms form types (BT-03), the notice's place in the procurement."""
    PLANNING = "planning", _("Prior information")
    COMPETITION = "competition", _("Call for competition")
    DIRECT_AWARD = "dir-awa-pre", _("Intention to award directly")
    RESULT = "result", _("Contract award")
    MODIFICATION = "cont-modif", _("Contract modification")
    CHANGE = "change", _("Change notice")
    COMPLETION = "completion", _("Contract completion")
    CONSULTATION = "consultation", _("Pre-market consultation")


class ProcedureType(models.TextChoices):
    """eForms procurement-procedure-type (BT-105)."""
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    NEGOTIATED = "neg-w-call", _("Competition with negotiation")
    DIRECT = "neg-wo-call", _("Negotiated without prior call (direct award)")
    DIALOGUE = "comp-dial", _("Competitive dialogue")
    INNOVATION = "innovation", _("Innovation partnership")
    OTHER_SINGLE = "oth-single", _("Other single-stage procedure")
    OTHER_MULTIPLE = "oth-mult", _("Other multi-stage procedure")
    TENDERING = "comp-tend", _("Competitive tendering (passenger transport)")


class Signal(models.TextChoices):
    STRONG = "strong", _("Strong innovation signal")
    SOME = "some", _("Some innovation signal")
    NONE = "", _("No innovation signal")


class Review(models.TextChoices):
    PENDING = "pending", _("Waiting for a curator")
    CONFIRMED = "confirmed", _("Confirmed as innovative")
    DISMISSED = "dismissed", _("Not innovative")


class Source(models.TextChoices):
    FILE = "file", _("Imported file")
    DOFFIN = "doffin", _("Doffin")
    TED = "ted", _("TED")


class NoticeQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_by__isnull=True)

    def discovered(self):
        return self.current().exclude(signal="")


class Notice(models.Model):
    key = models.CharField(max_length=250, unique=True)
    format = models.CharField(max_length=10)                 # eforms, ted-xml, ocds
    notice_id = models.CharField(_("notice identifier"), max_length=200, db_index=True)
    version = models.CharField(_("version"), max_length=100)
    publication_number = models.CharField(_("TED publication number"), max_length=20, blank=True)
    procedure_id = models.CharField(_("procedure identifier"), max_length=200, blank=True)
    customization = models.CharField(max_length=200, blank=True)
    notice_type = models.CharField(_("notice type"), max_length=30, blank=True)
    family = models.CharField(_("kind of notice"), max_length=20, blank=True, choices=Family.choices)
    subtype = models.CharField(_("subtype"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    issue_date = models.DateField(_("sent"), null=True, blank=True)
    publication_date = models.DateField(_("published"), null=True, blank=True, db_index=True)
    deadline = models.DateField(_("tender deadline"), null=True, blank=True)

    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    titles = models.JSONField(default=dict, blank=True)          # language -> text
    descriptions = models.JSONField(default=dict, blank=True)
    buyers = models.JSONField(default=list, blank=True)          # [{name, org_number, city, country}]
    winners = models.JSONField(default=list, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("buyer in Delbar"), on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="notices")
    county = models.ForeignKey(County, verbose_name=_("county"), on_delete=models.SET_NULL, null=True, blank=True)

    main_cpv = models.CharField(_("main CPV code"), max_length=8, blank=True)
    cpv_codes = models.JSONField(default=list, blank=True)
    classifications = models.JSONField(default=list, blank=True)  # other schemes: [{scheme, id, description}]
    nuts = models.JSONField(default=list, blank=True)
    nature = models.CharField(_("contract nature"), max_length=20, blank=True)
    procedure = models.CharField(_("procedure"), max_length=20, blank=True)
    innovative_acquisition = models.JSONField(default=list, blank=True)   # BT-776
    strategic_procurement = models.JSONField(default=list, blank=True)    # BT-06
    estimated_value = models.DecimalField(_("estimated value"), max_digits=17, decimal_places=2, null=True,
                                          blank=True)
    estimated_currency = models.CharField(max_length=3, blank=True)
    awarded_value = models.DecimalField(_("awarded value"), max_digits=17, decimal_places=2, null=True, blank=True)
    awarded_currency = models.CharField(max_length=3, blank=True)
    lots = models.JSONField(default=list, blank=True)
    previous = models.CharField(_("changes notice"), max_length=250, blank=True, db_index=True)
    # The procurement this notice is part of (trail.py): every notice linked to it by a procedure identifier or
    # a reference shares the value. "" until linked.
    trail = models.CharField(_("procurement trail"), max_length=32, blank=True, db_index=True)
    related = models.JSONField(default=list, blank=True)       # earlier notices it names: ParsedNotice.related
    # Where this notice was also published or received (the same notice on Doffin and TED, or as TED XML and its
    # eForms version), each merged in field by field: [{source, format, key, source_file, digest}].
    also_from = models.JSONField(default=list, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="supersedes")
    problems = models.JSONField(default=list, blank=True)      # what the lenient parser found missing

    # Discovery (discovery.py): how strongly the notice signals innovation, and why.
    signal = models.CharField(_("innovation signal"), max_length=10, blank=True, choices=Signal.choices,
                              db_index=True)
    signal_score = models.PositiveSmallIntegerField(default=0)
    signal_reasons = models.JSONField(default=list, blank=True)   # [{code, detail}]
    review = models.CharField(_("curator review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("cases"), blank=True, related_name="notices")

    # Provenance: where it came from, and the document exactly as received.
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FILE)
    source_file = models.CharField(_("file"), max_length=500, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    raw = models.BinaryField()
    raw_sha256 = models.CharField(max_length=64)

    objects = NoticeQuerySet.as_manager()

    SEARCH_WEIGHTS = {"A": ("title",), "B": ("description",), "C": ("search_identifiers",)}

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publication_date", "-id"]
        indexes = [models.Index(fields=["notice_id", "version"], name="notice_version")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notice_detail", args=[self.pk])

    @property
    def digests(self) -> set[str]:
        """The content digests of every document this notice was read from."""
        return {self.raw_sha256, *(other.get("digest", "") for other in self.also_from)} - {""}

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def title_in(self, language: str) -> str:
        return in_language(self.titles, language) or self.title

    def description_in(self, language: str) -> str:
        return in_language(self.descriptions, language) or self.description

    @property
    def year(self) -> int | None:
        day = self.publication_date or self.issue_date
        return day.year if day else None

    @property
    def doffin_id(self) -> str:
        """Doffin's own number for the notice ("2023-335407"), from its id or the file it came in."""
        for value in (self.source_file.removeprefix("doffin:"), self.notice_id, self.procedure_id,
                      self.source_file.rsplit("/", 1)[-1]):
            found = DOFFIN_ID.search(value or "")
            if found:
                return found.group(1)
        return ""

    @property
    def source_url(self) -> str:
        """Where the public can read the notice itself: Doffin for a Doffin number, else TED."""
        if self.doffin_id:
            return f"https://doffin.no/notices/{self.doffin_id}"
        if self.publication_number:
            return f"https://ted.europa.eu/en/notice/-/detail/{self.publication_number}"
        return ""


class TrailReference(models.Model):
    """One identity a notice has, or one it names, in the form trail.py writes ("key:ted:154292-2020",
    "procedure:<id>@<buyer>"): notices sharing a reference are one procurement's trail."""
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="trail_references")
    value = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "value"], name="one_trail_reference")]

    def __str__(self) -> str:
        return self.value
