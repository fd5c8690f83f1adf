"""Form fields for reference data, shared by the case, need and solution forms."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import CpvCode, Organization


class CpvInput(forms.TextInput):
    """The codes as typed, with the Norwegian label of each known one beneath, so a person sees what the
    numbers mean; pickers.js adds a code chosen in the CPV finder beside the field to both."""

    template_name = "orgs/widgets/cpv_input.html"

    class Media:
        js = ["delbar/pickers.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, (list, tuple)):
            value = ", ".join(cpv.code if isinstance(cpv, CpvCode) else str(cpv) for cpv in value)
        codes = [code.split("-")[0] for code in re.split(r"[\s,;]+", value or "") if code]
        found = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=[c for c in codes if len(c) == 8])}
        context["widget"]["chosen"] = [found[code] for code in dict.fromkeys(codes) if code in found]
        return context


class CpvCodesField(forms.CharField):
    """CPV codes typed as numbers (there are 9,454 of them), separated by commas or spaces; each is
    checked against the CPV 2008 list. Cleans to a list of CpvCode."""

    widget = CpvInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("CPV codes"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Eight-digit codes separated by commas, e.g. 34512000, 48000000; "
                                          "or find them by words below."))
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


def organization_label(org: Organization) -> str:
    """A name a person can choose by: two municipalities are called Våler, and the county tells them apart."""
    if org.county_id and org.county.name != org.name:
        return f"{org.name} ({org.county.name})"
    return org.name


class OrganizationPicker(forms.SelectMultiple):
    """Organizations chosen by typing a name: the chosen ones are ticked boxes (untick to remove), and one
    text box suggests the rest from a <datalist>, which browsers offer without JavaScript. pickers.js adds
    each name chosen as a ticked box at once, so several are added without saving in between."""

    template_name = "orgs/widgets/organization_picker.html"

    class Media:
        js = ["delbar/pickers.js"]

    def value_from_datadict(self, data, files, name):
        chosen = data.getlist(name) if hasattr(data, "getlist") else list(data.get(name) or [])
        typed = [part.strip() for part in (data.get(f"{name}_add") or "").split(";") if part.strip()]
        return chosen + typed

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked means none chosen

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = {str(v) for v in (value or [])}
        options, chosen = [], []
        for choice_value, label in self.choices:
            if choice_value == "":
                continue
            options.append({"pk": str(choice_value), "label": label})
            if str(choice_value) in values:
                chosen.append(options[-1])
        context["widget"].update(
            options=options, chosen=chosen,
            typed="; ".join(v for v in map(str, value or []) if not v.isdigit()))
        return context


class OrganizationsField(forms.ModelMultipleChoiceField):
    """Several organizations, each chosen by its name as the picker shows it (or by its bare name when only
    one is called that). A name that fits none, or more than one, is a form error saying which."""

    widget = OrganizationPicker

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Type a name and choose it from the list; untick one to remove it."))
        super().__init__(queryset.select_related("county").order_by("name"), **kwargs)

    def label_from_instance(self, obj):
        return organization_label(obj)

    def clean(self, value):
        value = list(value or [])
        typed = [v for v in map(str, value) if not v.isdigit()]
        if typed:
            by_label, by_name = {}, {}
            for org in self.queryset:
                by_label[organization_label(org).casefold()] = org.pk
                by_name.setdefault(org.name.casefold(), []).append(org)
            resolved = [v for v in map(str, value) if v.isdigit()]
            for text in typed:
                key = text.casefold()
                if key in by_label:
                    resolved.append(str(by_label[key]))
                elif len(by_name.get(key, [])) == 1:
                    resolved.append(str(by_name[key][0].pk))
                elif by_name.get(key):
                    raise ValidationError(
                        _("More than one is called “%(name)s”: choose one of %(choices)s."),
                        params={"name": text, "choices": ", ".join(sorted(map(organization_label, by_name[key])))})
                else:
                    raise ValidationError(_("Delbar knows no one called “%(name)s”: choose a name from the list."),
                                          params={"name": text})
            value = resolved
        return super().clean(value)
