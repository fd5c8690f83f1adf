import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    NEVER = "never", _("Only in Delbar, no e-mail")


class AlertSettings(models.Model):
    """How often a user wants the e-mail digest, and the secret in its one-click unsubscribe link."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings")
    frequency = models.CharField(_("e-mail digest"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.WEEKLY)
    unsubscribe_token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_frequency_display()})"


class Subscription(models.Model):
    """A saved search or a followed topic. New cases, needs and answers matching it become notifications."""

    class Topic(models.TextChoices):
        SEARCH = "search", _("Saved search")
        SECTOR = "sector", _("Sector")
        CPV = "cpv", _("CPV division or code")
        COUNTY = "county", _("County")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.CharField(_("follow"), max_length=10, choices=Topic.choices)
    value = models.CharField(_("value"), max_length=500, help_text=_(
        "The words of a saved search, a sector, a CPV code or division (two to eight digits), or a county number."))
    created_at = models.DateTimeField(auto_now_add=True)
    # Objects newer than this are news for the subscription (set at creation: no flood of old content).
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["topic", "value"]
        constraints = [models.UniqueConstraint(fields=["user", "topic", "value"], name="one_subscription_per_topic")]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.value}"


class Notification(models.Model):
    """Something new for one user. `event` names what happened, so the same event never reaches the
    same user twice, in Delbar or by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_notification_per_event")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread"),
                   models.Index(fields=["emailed_at", "user"], name="notification_digest")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
