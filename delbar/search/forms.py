"""The search form: words, filters and order, as plain GET parameters so every result list can be
linked, bookmarked and used without JavaScript. The case list and the API use it too. The filters are
the ones the kinds in play declare (kinds.py); the form knows no kind's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.search.engine import FILTER_FIELDS
from delbar.search.kinds import KINDS, filters_of

MAX_QUERY_LENGTH = 500


def _field(declared) -> forms.Field:
    if declared.field is not None:
        return declared.field()
    return forms.ChoiceField(label=declared.title, required=False,
                             choices=lambda: [("", declared.everything), *declared.choices()])


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=MAX_QUERY_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False,
                             choices=[("relevance", _("Best match")), ("date", _("Newest first"))])

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_kinds = kinds
        if kinds:
            del self.fields["kind"]
        else:
            self.fields["kind"].choices = [("", _("Everything"))] + [
                (name, kind.label) for name, kind in KINDS.items()]
        # Only the filters that mean something for these kinds, in the index's order, before the order.
        declared = filters_of(kinds)
        sort = self.fields.pop("sort")
        for name in FILTER_FIELDS:
            if name in declared:
                self.fields[name] = _field(declared[name])
        self.fields["sort"] = sort

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
