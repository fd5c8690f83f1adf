"""Reference data loaded by migration: municipalities, counties, CPV, NUTS; organisation numbers."""

from collections import Counter

import pytest

from delbar.orgs.models import County, CpvCode, NutsRegion, Organization
from delbar.orgs.numbers import is_valid_org_number
from delbar.orgs.reference import load_reference_data_now


def test_every_municipality_and_county(db):
    municipalities = Organization.objects.municipalities()
    assert municipalities.count() == 357 and County.objects.count() == 15
    assert sum(m.population for m in municipalities) == 5_550_203
    assert Organization.objects.filter(kind="county").count() == 14  # Oslo is one organization for both
    assert set(municipalities.values_list("size_class", flat=True)) == {"small", "medium", "large"}
    snasa = municipalities.get(municipality_number="5041")
    assert snasa.display_name == "Snåase - Snåsa" and snasa.county.nuts_code == "NO060"


def test_each_municipality_has_its_maalform_and_loading_again_changes_nothing(db):
    def maalforms():
        return Counter(Organization.objects.values_list("kind", "maalform"))

    assert maalforms() == {("municipality", "nynorsk"): 88, ("municipality", "neutral"): 150,
                           ("municipality", "bokmal"): 119, ("county", ""): 14}  # the county files have none
    assert Organization.objects.get(municipality_number="4640").maalform == Organization.Maalform.NYNORSK
    Organization.objects.filter(municipality_number="4640").update(maalform="")
    load_reference_data_now()
    assert maalforms() == {("municipality", "nynorsk"): 88, ("municipality", "neutral"): 150,
                           ("municipality", "bokmal"): 119, ("county", ""): 14}


def test_cpv_and_nuts(db):
    assert CpvCode.objects.count() == 9454
    ferry = CpvCode.objects.get(code="34512000")
    assert ferry.division == "34" and ferry.name_en.startswith("Ships")
    assert NutsRegion.objects.get(code="NO074").current is False


@pytest.mark.parametrize(("number", "valid"), [
    ("974760673", True), ("971032081", True), ("985198292", True),
    ("974760674", False), ("97476067", False), ("97476067a", False), ("000000000", True),
])
def test_org_number_mod11(number, valid):
    assert is_valid_org_number(number) is valid
