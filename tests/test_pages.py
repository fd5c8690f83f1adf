"""Pages that everyone sees: home, the case list and its filters, organizations, language switch."""

import pytest
from django.conf import settings

from delbar.cases.models import Status
from delbar.orgs.models import CpvCode
from tests.conftest import client_for

# A representative page of each kind, with a sentence of its own in nynorsk (the menu is checked on all).
NYNORSK_PAGES = {
    "/": "Har nokon løyst dette før?",
    "/cases/": "Søkjeord",
    "/needs/": "Kva offentlege innkjøparar treng no.",
    "/notices/": "Det offentlege oppdragsgivarar har kunngjort på Doffin og TED",
    "/organizations/": "Filtrer verksemder",
    "/observatory/": "Observatorium: kvar innovasjon spreier seg",
    "/search/?q=robot": "treff for «robot»",
    "/about/": "Kven driv Delbar",
}


def test_home_counts_by_sector(cast, make_case, client):
    make_case(Status.PUBLISHED, title="Robot i tunnel")
    make_case(Status.DRAFT, title="Skjult")
    page = client.get("/").content.decode()
    assert "Robot i tunnel" in page and "Skjult" not in page
    assert 'href="/cases/?sector=vann-avlop-avfall">Vann, avløp og avfall</a> (1)' in page


def test_case_list_filters_and_htmx_partial(cast, make_case, client, lyngdal):
    make_case(Status.PUBLISHED, title="Ferje", outcome="failed", year=2019, procedure="open")
    make_case(Status.PUBLISHED, title="Robot", outcome="success", year=2021)
    assert "Robot" not in client.get("/cases/?outcome=failed").content.decode()
    assert "Ferje" in client.get("/cases/?year=2019&procedure=open").content.decode()
    assert "Ingenting passer med alt dette" in client.get("/cases/?size_class=small").content.decode()
    partial = client.get("/cases/?q=robot", headers={"HX-Request": "true"}).content.decode()
    assert "Robot" in partial and "<html" not in partial


def test_pagination(cast, make_case, client):
    for number in range(25):
        make_case(Status.PUBLISHED, title=f"Sak {number:02d}")
    first = client.get("/cases/").content.decode()
    assert "Side 1 av 2" in first and "page=2" in first
    assert client.get("/cases/?page=2").content.decode().count('<article class="ds-card') == 5
    assert client.get("/cases/?page=999").status_code == 200  # out of range shows the last page


def test_bad_filter_values_are_named_not_a_server_error(db, client):
    response = client.get("/cases/?year=abc&sector=nope&county=99")
    assert response.status_code == 400
    assert "Velg et gyldig valg" in response.content.decode()
    assert client.get("/cases/123456/").status_code == 404


def test_organization_page_and_parallel_names(db, client):
    from delbar.orgs.models import Organization

    karasjok = Organization.objects.get(municipality_number="5610")
    page = client.get(karasjok.get_absolute_url()).content.decode()
    assert "Kárášjohka - Karasjok" in page and "Finnmark - Finnmárku - Finmarkku" in page


def test_english_switch(db, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302
    page = client.get("/cases/").content.decode()
    assert '<html lang="en"' in page and "Search Delbar" in page
    assert '<html lang="nb"' in client_for(None).get("/cases/").content.decode()


def test_case_page_shows_structured_facts(cast, make_case, client):
    case = make_case(Status.PUBLISHED, need="Tunnelene må inspiseres.", outcome="failed",
                     what_went_wrong="Kabelen var for kort.", trialability="Kan leies.")
    page = client.get(case.get_absolute_url()).content.decode()
    expected = ("Tunnelene må inspiseres.", "Mislyktes", "Kabelen var for kort.", "Utprøvbarhet", "Kan leies.",
                "Bergen")
    for text in expected:
        assert text in page


@pytest.mark.parametrize("role", ["anonymous", "alice", "bob", "dave", "carol", "admin"])
def test_pages_in_nynorsk_for_every_role(cast, make_case, role):
    case = make_case(Status.PUBLISHED, title="Robot i tunnel")
    client = client_for(cast[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    own = {case.get_absolute_url(): "Spørsmål og svar"}
    own.update({"/my/": "Det eg følgjer"} if cast[role] else {"/accounts/login/": "Gløymt passordet?"})
    for url, sentence in {**NYNORSK_PAGES, **own}.items():
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="nn"' in page and ">Kunngjeringar</a>" in page and sentence in page, url


def test_cpv_codes_are_found_by_words_or_by_the_start_of_a_code(db, client):
    page = client.get("/cpv/?q=ferger", headers={"accept-language": "nb"}).content.decode()
    assert "34512100" in page and "Ferger" in page and "Reparasjon av ferger" in page
    # Every word must be in the label: "reparasjon ferger" leaves the ferries themselves out.
    both = client.get("/cpv/?q=reparasjon+ferger", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in both and "50241200" in both and "34512100" not in both
    ships = client.get("/cpv/?q=345121", headers={"HX-Request": "true"}).content.decode()
    assert "34512100" in ships and "50241200" not in ships
    assert "Ingen CPV-kode" in client.get("/cpv/?q=zzqqxx", headers={"accept-language": "nb"}).content.decode()


def test_the_case_form_offers_the_cpv_search_and_shows_what_the_codes_mean(cast, make_case):
    alice = client_for(cast["alice"])
    form = alice.get("/cases/new/").content.decode()
    assert 'hx-get="/cpv/"' in form and 'href="/cpv/"' in form and '"field": "id_cpv"' in form
    case = make_case()
    case.cpv_codes.set(CpvCode.objects.filter(code="34512100"))
    edit = alice.get(f"/cases/{case.pk}/edit/?step=need", headers={"accept-language": "nb"}).content.decode()
    assert "<code>34512100</code> – Ferger" in edit
    # Found beside the field (htmx), a code comes with a button that puts it in that field.
    beside = alice.get("/cpv/?q=ferger&field=id_cpv", headers={"HX-Request": "true"}).content.decode()
    assert 'data-cpv-add="34512100"' in beside and 'data-field="id_cpv"' in beside
    # On the page of its own there is no field to put it in, and a field name must look like one.
    assert "data-cpv-add" not in alice.get("/cpv/?q=ferger&field=id_cpv").content.decode()
    odd = alice.get('/cpv/?q=ferger&field="><script>', headers={"HX-Request": "true"}).content.decode()
    assert "data-cpv-add" not in odd and "<script>" not in odd
