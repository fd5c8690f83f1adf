import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import Organization


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    SUPPLIER = "supplier", _("Supplier")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    CURATOR = "curator", _("Curator")
    ADMIN = "admin", _("Delbar administrator")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)


class Membership(models.Model):
    """A person's role in an organization: editors write their buyer's cases, curators review all.

    A pending membership is a request (from sign-up or an Ansattporten log-in) that the organization's
    administrators approve; it grants nothing until then (accounts/access.py says who may approve)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Waiting for approval")

    class Source(models.TextChoices):
        GRANTED = "granted", _("Granted by an administrator")
        SIGNUP = "signup", _("Asked for at sign-up")
        ANSATTPORTEN = "ansattporten", _("Ansattporten log-in")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.GRANTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class ExternalIdentity(models.Model):
    """A person as an OpenID provider knows them: users are keyed by (issuer, subject), never by
    e-mail or name, which ID-porten does not give and which change."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("log-in identity")
        verbose_name_plural = _("log-in identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_identity")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, raw: str):
        """The unexpired token of an active user matching `raw`, or None. Only the hash is stored."""
        token = self.select_related("user").filter(key_hash=hash_token(raw), user__is_active=True,
                                                   expires_at__gt=timezone.now()).first()
        if token:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token


def _default_token_expiry():
    return timezone.now() + timedelta(days=ApiToken.DEFAULT_DAYS)


class ApiToken(models.Model):
    """A personal API token. The secret is shown once at creation; only its SHA-256 is kept.

    Tokens expire (at most a year: a forgotten script should not hold access for ever) and carry a
    scope: "read" tokens may only make safe requests (GET, HEAD, OPTIONS)."""

    PREFIX = "dlb_"
    DEFAULT_DAYS = 90
    MAX_DAYS = 365

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_default_token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @classmethod
    def issue(cls, *, user, name: str, scope: str = Scope.WRITE, days: int = DEFAULT_DAYS) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        days = max(1, min(days, cls.MAX_DAYS))
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), hint=raw[:10], scope=scope,
                                   expires_at=timezone.now() + timedelta(days=days))
        return token, raw
