from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from delbar.orgs.numbers import is_valid_org_number


def validate_org_number(value: str) -> None:
    if not is_valid_org_number(value):
        raise ValidationError(_("%(value)s is not a valid organisation number (nine digits, mod-11)."),
                              params={"value": value})


class County(models.Model):
    """A county (fylke), reference data from Kartverket/SSB; its administration is an Organization."""

    number = models.CharField(_("county number"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200,
                                     help_text=_("With Sami and Kven parallel names where official."))
    nuts_code = models.CharField(_("NUTS code"), max_length=5)
    population = models.PositiveIntegerField(_("population"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class BilingualName:
    """`name` in the interface language: English when chosen, nynorsk where the model has it (sectors do;
    the CPV list is published in bokmål and English only), bokmål otherwise."""

    @property
    def name(self) -> str:
        language = get_language()
        if language == "en":
            return self.name_en
        if language == "nn":
            return getattr(self, "name_nn", "") or self.name_nb
        return self.name_nb


class Sector(BilingualName, models.Model):
    """One of the eight sectors cases and needs are filed under (the interchange format's list)."""

    slug = models.SlugField(primary_key=True)
    name_nb = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    name_nn = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class CpvCode(BilingualName, models.Model):
    """A CPV 2008 code with English and bokmål labels (DFØ), stored without the check digit."""

    code = models.CharField(max_length=8, primary_key=True)
    name_en = models.CharField(max_length=400)
    name_nb = models.CharField(max_length=400)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def division(self) -> str:
        return self.code[:2]


class NutsRegion(models.Model):
    """A NUTS region in Norway (levels 1–3, 2024 edition; retired codes kept and flagged)."""

    code = models.CharField(max_length=5, primary_key=True)
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("NUTS region")
        verbose_name_plural = _("NUTS regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganizationQuerySet(models.QuerySet):
    def buyers(self):
        return self.filter(kind__in=Organization.BUYER_KINDS)

    def suppliers(self):
        return self.filter(kind=Organization.Kind.SUPPLIER)

    def municipalities(self):
        return self.filter(kind=Organization.Kind.MUNICIPALITY)


class Organization(models.Model):
    """A public buyer, supplier or network: every municipality and county, plus those who register."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COUNTY = "county", _("County")
        STATE_AGENCY = "state-agency", _("State agency")
        PUBLIC_COMPANY = "public-company", _("Publicly owned company")
        SUPPLIER = "supplier", _("Supplier")
        NETWORK = "network", _("Network or programme")

    class SizeClass(models.TextChoices):
        SMALL = "small", _("Small (under 5,000 inhabitants)")
        MEDIUM = "medium", _("Medium (5,000–19,999)")
        LARGE = "large", _("Large (20,000 or more)")

    class Maalform(models.TextChoices):
        """The written language (målform) a municipality has chosen under the Language Act (språklova)."""

        BOKMAL = "bokmal", _("Bokmål")
        NYNORSK = "nynorsk", _("Nynorsk")
        NEUTRAL = "neutral", _("Neutral")

    BUYER_KINDS = (Kind.MUNICIPALITY, Kind.COUNTY, Kind.STATE_AGENCY, Kind.PUBLIC_COMPANY)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(_("official name"), max_length=300, blank=True)
    org_number = models.CharField(_("organisation number"), max_length=9, unique=True, null=True,
                                  blank=True, validators=[validate_org_number])
    municipality_number = models.CharField(_("municipality number"), max_length=4, unique=True,
                                           null=True, blank=True)
    county = models.ForeignKey(County, verbose_name=_("county"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="organizations")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    nuts_code = models.CharField(_("NUTS code"), max_length=5, blank=True)
    # Reference data for municipalities (orgs/data/kommuner_2025.csv); blank where unknown (counties,
    # everyone who registers). It decides the language Delbar speaks to their people (web/middleware.py).
    maalform = models.CharField(_("written language (målform)"), max_length=10, choices=Maalform.choices,
                                blank=True)
    website = models.URLField(_("website"), blank=True)
    # A functional address (innkjop@…), set by the organization's administrators: whom to ask about
    # its cases when no person has consented to be named.
    procurement_contact = models.EmailField(_("procurement contact"), blank=True,
                                            help_text=_("A shared address, such as innkjop@kommune.no."))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["county"], condition=models.Q(kind="county"),
                                    name="one_administration_per_county"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization_detail", args=[self.pk])

    @property
    def is_buyer(self) -> bool:
        return self.kind in self.BUYER_KINDS

    @property
    def display_name(self) -> str:
        """The official name when it carries parallel Sami or Kven names, else the plain name."""
        return self.official_name or self.name
