"""Networks and programmes (LUP, KS, a county's network, a sector programme): one database, many front
doors. A network is an Organization of kind "network" with its own pages; the people who act for that
organization (editors, administrators, curators) are the network's curators (accounts/roles.py)."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import EXTENSIONS
from delbar.orgs.models import Organization

ORIGIN = RegexValidator(r"^(https://[a-z0-9.-]+|http://(localhost|127\.0\.0\.1))(:[0-9]{1,5})?$",
                        _("Write one web address per line, such as https://lup.no (https, no path)."))


class Network(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National programme")
        SECTOR = "sector", _("Sector programme")
        REGIONAL = "region", _("Regional network")
        COMMUNITY = "community", _("Community of practice")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="network",
                                        limit_choices_to={"kind": Organization.Kind.NETWORK})
    slug = models.SlugField(_("short name in the address"), max_length=60, unique=True)
    kind = models.CharField(_("kind of network"), max_length=10, choices=Kind.choices, default=Kind.REGIONAL)
    description = models.TextField(_("description"), max_length=2000,
                                   help_text=_("Two or three sentences: who the network is for and what it does."))
    logo = models.ImageField(_("logo"), upload_to="networks/logos/", blank=True, max_length=200)
    website = models.URLField(_("website"), blank=True)
    # The sites allowed to show the network's embeddable list in a frame (its CSP frame-ancestors).
    embed_origins = models.TextField(_("sites that may embed the list"), blank=True, help_text=_(
        "One address per line, such as https://lup.no. Only these sites may show the list in a frame."))
    accepts_suppliers = models.BooleanField(_("suppliers may join"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.organization.name

    def get_absolute_url(self) -> str:
        return reverse("network_detail", args=[self.slug])

    @property
    def name(self) -> str:
        return self.organization.name

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.embed_origins.splitlines() if line.strip()]


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=NetworkMember.Status.ACTIVE)

    def pending(self):
        return self.filter(status=NetworkMember.Status.PENDING)


class NetworkMember(models.Model):
    """An organization in a network. Joining is asked for and approved by the network's curators."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Member")
        PENDING = "pending", _("Waiting for approval")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="network_memberships")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        constraints = [models.UniqueConstraint(fields=["network", "organization"], name="one_membership_per_network")]
        verbose_name = _("network member")
        verbose_name_plural = _("network members")

    def __str__(self) -> str:
        return f"{self.organization} in {self.network}"


class NewsItem(models.Model):
    """A short item the network's curators post; members-only items reach members alone."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    members_only = models.BooleanField(_("for members only"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    published_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network_news_item", args=[self.network.slug, self.pk])


def network_document_path(instance: "NetworkDocument", filename: str) -> str:
    return f"networks/{instance.network_id}/{uuid.uuid4().hex}{instance.extension}"


class NetworkDocument(models.Model):
    """A file in the members' documents area; members and the network's curators alone download it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=network_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")


class Post(models.Model):
    """The members' discussion: seen by members and the network's curators, nobody else."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")

    def __str__(self) -> str:
        return self.body[:80]
