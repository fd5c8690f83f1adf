import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import EXTENSIONS
from delbar.orgs.models import Organization


class Stage(models.TextChoices):
    """The procurement value chain (KS), which a group moves along together."""
    NEEDS_ASSESSMENT = "needs-assessment", _("Needs assessment and market dialogue")
    COMPETITION = "competition", _("Competition")
    CONTRACT = "contract", _("Contract")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Follow-up and evaluation")


class BuyerGroup(models.Model):
    """Buyers procuring together around a need: one leads the procurement, the others take part."""

    name = models.CharField(_("name"), max_length=200)
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="buyer_groups",
                             verbose_name=_("need"))
    lead = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="led_groups",
                             verbose_name=_("lead buyer"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NEEDS_ASSESSMENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("buyer group")
        verbose_name_plural = _("buyer groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("group_detail", args=[self.pk])


class GroupMember(models.Model):
    group = models.ForeignKey(BuyerGroup, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="group_memberships")
    # The member's own need, when it came in through one (it is then "in procurement" with the group).
    need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "organization"], name="one_membership_per_group")]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")

    def __str__(self) -> str:
        return f"{self.organization} in {self.group}"


class GroupMessage(models.Model):
    """The group's discussion thread, seen by its members and curators."""

    group = models.ForeignKey(BuyerGroup, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:80]


def group_document_path(instance: "GroupDocument", filename: str) -> str:
    return f"groups/{instance.group_id}/{uuid.uuid4().hex}{instance.extension}"


class GroupDocument(models.Model):
    """A file the group shares: a joint needs description, requirements, an agreement on cost sharing."""

    group = models.ForeignKey(BuyerGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=group_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
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
