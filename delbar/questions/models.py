from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import Organization


class QuestionQuerySet(models.QuerySet):
    def answered(self):
        return self.exclude(answer="")


class Question(models.Model):
    """Asked once, in public, on a case; answered by the organization that owns it, for everyone."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Shown as the asker: the organization, never the person's name (it may be withdrawn with the account).
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    body = models.TextField(_("question"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)
