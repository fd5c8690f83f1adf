"""`delbar demo` loads enough to show every page, and can run twice."""

import io

from django.core.management import call_command

from delbar.cases.models import Case, Status
from delbar.orgs.models import Organization


def test_demo_loads_and_is_idempotent(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    published = Case.objects.published()
    assert published.count() >= 40
    assert set(published.values_list("sector", flat=True)) >= {
        "helse-omsorg", "bygg-eiendom", "samferdsel", "vann-avlop-avfall", "oppvekst-utdanning",
        "administrasjon-digitalisering", "kultur-idrett", "klima-energi"}
    assert set(published.values_list("outcome", flat=True)) >= {"success", "partial", "failed", "ongoing"}
    assert set(published.values_list("lead_buyer__size_class", flat=True)) >= {"small", "medium", "large"}
    assert Case.objects.filter(status=Status.SUBMITTED).exists() and Case.objects.filter(status=Status.DRAFT).exists()
    for username in ("ingrid", "per", "kari", "sven", "admin"):
        assert username in out.getvalue()
    counts = (Case.objects.count(), Organization.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Case.objects.count(), Organization.objects.count()) == counts
