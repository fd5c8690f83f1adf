"""The search form: words, filters and order, as plain GET parameters so every result list can be
linked, bookmarked and used without JavaScript. The case list and the API use it too."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Category, Outcome, Procedure, Status
from delbar.needs.models import NeedStatus
from delbar.notices.models import Family, ProcedureType, Signal
from delbar.orgs.models import County, Organization, Sector
from delbar.search.engine import FILTER_FIELDS
from delbar.search.kinds import KINDS

MAX_QUERY_LENGTH = 500


# The filters each kind has values for; a page limited to one kind shows only these.
KIND_FILTERS = {
    "case": ("sector", "county", "size_class", "procedure", "category", "outcome", "year", "status", "buyer"),
    "need": ("sector", "county", "size_class", "year", "status", "buyer"),
    "solution": ("sector", "year", "buyer"),
    "notice": ("family", "procedure", "cpv", "county", "buyer", "signal", "year"),
}


def notice_procedures() -> list[tuple[str, str]]:
    """Notice procedures as search stores them: the case procedure where there is one (notices/search.py)."""
    from delbar.notices.search import CASE_PROCEDURES
    return [(CASE_PROCEDURES.get(value, value), label) for value, label in ProcedureType.choices]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=MAX_QUERY_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.all(), required=False,
                                    empty_label=_("All sectors"))
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all(), required=False,
                                    empty_label=_("All counties"))
    size_class = forms.ChoiceField(label=_("Municipality size"), required=False,
                                   choices=[("", _("All sizes"))] + list(Organization.SizeClass.choices))
    procedure = forms.ChoiceField(label=_("Procedure"), required=False,
                                  choices=lambda: [("", _("All procedures"))] + list(Procedure.choices) + [
                                      choice for choice in notice_procedures() if choice[0] not in Procedure.values])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Both categories"))] + list(Category.choices))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("All outcomes"))] + list(Outcome.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(NeedStatus.choices) + list(Status.choices))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    family = forms.ChoiceField(label=_("Kind of notice"), required=False,
                               choices=[("", _("All kinds of notice"))] + list(Family.choices))
    signal = forms.ChoiceField(label=_("Innovation signal"), required=False,
                               choices=[("", _("Any signal"))] + [(value, label) for value, label in Signal.choices
                                                                   if value])
    cpv = forms.RegexField(label=_("CPV division"), required=False, regex=r"^\d{2}$",
                           error_messages={"invalid": _("Give a CPV division as two digits, such as 45.")})
    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=Organization.objects.all(), required=False,
                                   widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Order"), required=False,
                             choices=[("relevance", _("Best match")), ("date", _("Newest first"))])

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_kinds = kinds
        if kinds:
            del self.fields["kind"]
            # Only the filters that mean something for these kinds.
            for name in set(FILTER_FIELDS) - set().union(*(KIND_FILTERS.get(kind, FILTER_FIELDS) for kind in kinds)):
                del self.fields[name]
            if kinds == ["case"]:
                self.fields["status"].choices = [("", _("Any status"))] + list(Status.choices)
            elif kinds == ["need"]:
                self.fields["status"].choices = [("", _("Any status"))] + list(NeedStatus.choices)
            elif kinds == ["notice"]:
                self.fields["procedure"].choices = [("", _("All procedures"))] + notice_procedures()
        else:
            self.fields["kind"].choices = [("", _("Everything"))] + [
                (name, kind.label) for name, kind in KINDS.items()]

    def filters(self) -> dict:
        """The chosen filters as the engine's values (sector slug, county number, …)."""
        data = self.cleaned_data
        values = {}
        for name in FILTER_FIELDS:
            if name not in self.fields:
                continue
            value = data.get(name)
            if value in (None, ""):
                continue
            values[name] = value.pk if hasattr(value, "pk") else value
        return values

    def kinds(self) -> list[str] | None:
        if self.fixed_kinds:
            return self.fixed_kinds
        kind = self.cleaned_data.get("kind")
        return [kind] if kind else None

    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip()

    def ordering(self) -> str:
        return self.cleaned_data.get("sort") or ("relevance" if self.query() else "date")
