"""A figure is a table: what the page draws, the data table beside it, the CSV and JSON downloads and
the API all come from the same `Figure`, built by one query function (observatory.py, casefigures.py)."""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Procedure
from delbar.networks.models import Network
from delbar.opendata.cells import safe_cell
from delbar.orgs.models import County, Organization, Sector


@dataclass
class Column:
    key: str
    label: str
    # text, int, year, share (0–1), days, date, number; "code": a value for programs (a size class slug,
    # a county number), in CSV and JSON beside its label, left out of the table a person reads.
    kind: str = "text"


@dataclass
class Figure:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict]
    notes: list[str] = field(default_factory=list)

    def as_json(self, filters: dict | None = None) -> dict:
        return {"figure": self.slug, "title": str(self.title), "filters": filters or {},
                "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
                "rows": [{c.key: row.get(c.key) for c in self.columns} for row in self.rows],
                "notes": [str(note) for note in self.notes]}

    def as_csv(self) -> str:
        """The table for spreadsheets: text that would start a formula (a case title "=HYPERLINK(…)")
        gets a leading quote (`safe_cell`); numbers stay numbers; missing values are empty."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            writer.writerow([safe_cell(row.get(c.key)) for c in self.columns])
        return out.getvalue()

    def column(self, key: str) -> list:
        return [row.get(key) for row in self.rows]


BREAKDOWNS = [("sector", _("Sector")), ("county", _("County")), ("size_class", _("Size class")),
              ("procedure", _("Procedure"))]
MAP_METRICS = [("reached", _("Reached: published, adopted or posted a need")), ("cases", _("Published cases")),
               ("adoptions", _("Adoptions")), ("needs", _("Needs posted"))]


class ObservatoryFilters(forms.Form):
    """The observatory's GET parameters: every view can be linked and bookmarked."""

    sector = forms.ModelChoiceField(Sector.objects.all(), required=False, label=_("Sector"),
                                    to_field_name="slug", empty_label=_("All sectors"))
    county = forms.ModelChoiceField(County.objects.all(), required=False, label=_("County"),
                                    to_field_name="number", empty_label=_("All counties"))
    size_class = forms.ChoiceField(choices=[("", _("All sizes")), *Organization.SizeClass.choices], required=False,
                                   label=_("Municipality size"))
    procedure = forms.ChoiceField(choices=[("", _("All procedures")), *Procedure.choices], required=False,
                                  label=_("Procedure"))
    # A network's collection: its members' published cases and those its curators added (observatory.py).
    network = forms.ModelChoiceField(Network.objects.select_related("organization"), required=False,
                                     label=_("Network"), to_field_name="slug", empty_label=_("All networks"))
    since = forms.IntegerField(min_value=1990, max_value=2100, required=False, label=_("From year"))
    until = forms.IntegerField(min_value=1990, max_value=2100, required=False, label=_("To year"))
    by = forms.ChoiceField(choices=BREAKDOWNS, required=False, label=_("Break down by"))
    map = forms.ChoiceField(choices=MAP_METRICS, required=False, label=_("Map shows"))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("“From year” must not be after “To year”."))
        data["by"] = data.get("by") or "sector"
        data["map"] = data.get("map") or "reached"
        return data

    def as_params(self) -> dict:
        """The chosen filters as plain values, for JSON and links."""
        data = self.cleaned_data
        params = {name: data.get(name) for name in ("size_class", "procedure", "since", "until", "by", "map")}
        params["sector"] = data["sector"].slug if data.get("sector") else None
        params["county"] = data["county"].number if data.get("county") else None
        params["network"] = data["network"].slug if data.get("network") else None
        return {name: value for name, value in params.items() if value not in (None, "")}


def filters_or_errors(params) -> tuple[dict | None, dict]:
    """(cleaned filters, {}) or (None, {field: [messages]}) for a QueryDict or dict of GET parameters."""
    form = ObservatoryFilters(params)
    if not form.is_valid():
        return None, {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    return {**form.cleaned_data, "params": form.as_params()}, {}
