import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.notices.models import Notice, Review
from delbar.notices.sources.model import ted_publication_number

SEPARATORS = re.compile(r"[\s,;]+")


def find_notice(reference: str) -> Notice | None:
    """A notice by what people copy: its Doffin or TED number, its identifier, its key, or a link ending in one."""
    reference = reference.strip().rstrip("/").rpartition("/")[2] or reference.strip()
    ted = ted_publication_number(reference)
    query = Q(key=reference) | Q(notice_id=reference) | Q(source_file=f"doffin:{reference}")
    if ted:
        query |= Q(publication_number=ted)
    return Notice.objects.current().filter(query).order_by("-publication_date", "-pk").first()


class NoticesField(forms.CharField):
    """Notices typed as their Doffin or TED numbers, separated by commas or spaces."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Notices"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Doffin or TED numbers of the case's notices, such as 2024-107345 or "
                                         "154292-2020, separated by commas."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        notices, unknown = [], []
        for reference in SEPARATORS.split(value or ""):
            if not reference:
                continue
            notice = find_notice(reference)
            if notice is None:
                unknown.append(reference)
            elif notice not in notices:
                notices.append(notice)
        if unknown:
            raise ValidationError(_("Delbar has no notice %(references)s. Import it first, or check the number.")
                                  % {"references": ", ".join(unknown)})
        return notices


def notice_reference(notice: Notice) -> str:
    """How the case form writes a notice back: the number people know it by."""
    if notice.source_file.startswith("doffin:"):
        return notice.source_file.removeprefix("doffin:")
    return notice.publication_number or notice.key


class ReviewForm(forms.Form):
    review = forms.ChoiceField(choices=[(Review.CONFIRMED, _("Innovative")), (Review.DISMISSED, _("Not innovative")),
                                        (Review.PENDING, _("Undecided"))])
