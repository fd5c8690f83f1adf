"""Form fields for reference data, shared by the case, need and solution forms."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import CpvCode


class CpvCodesField(forms.CharField):
    """CPV codes typed as numbers (there are 9,454 of them), separated by commas or spaces; each is
    checked against the CPV 2008 list. Cleans to a list of CpvCode."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("CPV codes"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Eight-digit codes separated by commas, e.g. 34512000, 48000000"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(cpv.code if isinstance(cpv, CpvCode) else str(cpv) for cpv in value)
        return value

    def clean(self, value) -> list[CpvCode]:
        value = super().clean(value)
        codes = [code for code in re.split(r"[\s,;]+", value or "") if code]
        cleaned = []
        for code in codes:
            digits = code.split("-")[0]  # the official list writes a check digit: 03000000-1
            if not re.fullmatch(r"\d{8}", digits):
                raise ValidationError(_("“%(code)s” is not a CPV code: write eight digits."), params={"code": code})
            cleaned.append(digits)
        found = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=cleaned)}
        unknown = [code for code in cleaned if code not in found]
        if unknown:
            raise ValidationError(_("Unknown CPV code: %(codes)s"), params={"codes": ", ".join(unknown)})
        return [found[code] for code in dict.fromkeys(cleaned)]
