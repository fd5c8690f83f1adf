"""The filters every kind of document may share: about the buyer (sector, county, size, the buyer
itself) and the year. Kinds name them in their declaration (`filters=("sector", "year", …)`); filters
only one kind has are declared with that kind (cases/search.py, notices/search.py, …)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.orgs.models import County, Organization, Sector
from delbar.search.kinds import Filter, share


def _buyer_labels(values: list[str]) -> dict[str, str]:
    ids = [int(value) for value in values if value.isdigit()]
    return {str(pk): organization.display_name for pk, organization in Organization.objects.in_bulk(ids).items()}


share(Filter("sector", _("Sector"), everything=_("All sectors"),
             choices=lambda: [(sector.slug, sector.name) for sector in Sector.objects.all()]))
share(Filter("county", _("County"), everything=_("All counties"),
             choices=lambda: list(County.objects.values_list("number", "name"))))
share(Filter("size_class", _("Municipality size"), everything=_("All sizes"),
             choices=lambda: list(Organization.SizeClass.choices)))
share(Filter("year", _("Year"), field=lambda: forms.IntegerField(label=_("Year"), required=False,
                                                                  min_value=1990, max_value=2100)))
share(Filter("buyer", _("Buyer"), labels=_buyer_labels,
             field=lambda: forms.ModelChoiceField(label=_("Buyer"), queryset=Organization.objects.all(),
                                                  required=False, widget=forms.HiddenInput)))
