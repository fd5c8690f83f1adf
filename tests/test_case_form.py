"""Writing a case in the web form: server-side validation, clear messages, nothing half-saved."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delbar.cases.models import Case, CaseDocument, ContactPerson, Status
from tests.conftest import client_for


def form_data(**overrides):
    data = {"title": "Elektrisk ferje", "summary": "Vi kjøpte en elektrisk ferje.", "sector": "samferdsel",
            "language": "nb", "cpv": "34512000, 60640000"}
    for prefix in ("benefits", "links", "contacts"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_editor_writes_a_draft_with_benefits_links_and_a_consenting_contact(cast, bergen):
    client = client_for(cast["alice"])
    response = client.post("/cases/new/", form_data(**{
        "benefits-TOTAL_FORMS": "1", "benefits-0-kind": "climate", "benefits-0-description": "Mindre CO₂",
        "benefits-0-amount": "95", "benefits-0-unit": "prosent",
        "links-TOTAL_FORMS": "1", "links-0-kind": "notice", "links-0-url": "https://www.doffin.no/notices/1",
        "contacts-TOTAL_FORMS": "1", "contacts-0-name": "Per Eksempel", "contacts-0-email": "per@example.no",
        "contacts-0-consent": "on"}))
    assert response.status_code == 302
    case = Case.objects.get(title="Elektrisk ferje")
    assert case.status == Status.DRAFT and case.lead_buyer == bergen and case.created_by == cast["alice"]
    assert sorted(case.cpv_codes.values_list("code", flat=True)) == ["34512000", "60640000"]
    assert case.benefits.get().amount == 95
    assert case.links.get().kind == "notice"
    assert case.contacts.get().consent_given_at is not None
    assert case.revisions.count() == 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": ""}, "title", "Feltet er påkrevet"),
    ({"summary": ""}, "summary", "Feltet er påkrevet"),
    ({"cpv": "3451200"}, "cpv", "er ikke en CPV-kode"),
    ({"cpv": "99999999"}, "cpv", "Ukjent CPV-kode: 99999999"),
    ({"year": "1066"}, "year", "1990"),
    ({"contract_date": "2020-01-01", "competition_date": "2021-01-01"}, "contract_date", "kan ikke begynne før"),
])
def test_invalid_input_is_explained_and_nothing_is_saved(cast, overrides, field, message):
    response = client_for(cast["alice"]).post("/cases/new/", form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    assert not Case.objects.exists()


def test_contact_without_consent_is_refused(cast):
    response = client_for(cast["alice"]).post("/cases/new/", form_data(**{
        "contacts-TOTAL_FORMS": "1", "contacts-0-name": "Per Eksempel", "contacts-0-email": "per@example.no"}))
    assert response.status_code == 200
    assert "kun med samtykke" in response.content.decode()
    assert not Case.objects.exists() and not ContactPerson.objects.exists()


def test_contact_can_be_removed(cast, make_case):
    case = make_case(Status.PUBLISHED)
    client = client_for(cast["alice"])
    client.post(f"/cases/{case.pk}/edit/", form_data(title=case.title, summary=case.summary, **{
        "contacts-TOTAL_FORMS": "1", "contacts-0-name": "Per Eksempel", "contacts-0-consent": "on"}))
    contact = case.contacts.get()
    assert "Per Eksempel" in client_for(None).get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/edit/", form_data(title=case.title, summary=case.summary, **{
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1", "contacts-0-id": str(contact.pk),
        "contacts-0-name": "Per Eksempel", "contacts-0-consent": "on", "contacts-0-DELETE": "on"}))
    assert not ContactPerson.objects.exists()
    assert "Per Eksempel" not in client_for(None).get(f"/cases/{case.pk}/").content.decode()
    # Revisions never keep the person's name.
    assert all("Per Eksempel" not in str(revision.snapshot) for revision in case.revisions.all())


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<r/>"), ("word/document.xml", "<w/>")])
ODT = _zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>")])


@pytest.mark.parametrize(("name", "content", "stored_type"), [
    ("krav.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("rapport.odt", ODT, "application/vnd.oasis.opendocument.text"),
])
def test_office_documents_are_accepted_by_content(cast, make_case, name, content, stored_type):
    case = make_case()
    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "requirements", "title": "", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    document = case.documents.get()
    assert document.content_type == stored_type and document.title == name
    assert document.file.name.startswith(f"cases/{case.pk}/") and name not in document.file.name


@pytest.mark.parametrize(("name", "content", "message"), [
    ("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200, "innholdet i denne filen er ingen av disse"),
    ("rapport.pdf", DOCX, "men innholdet er .docx"),
    ("notat.pdf", b"", "Filen er tom"),
    ("arkiv.zip", _zip([("a.txt", "hei")]), "innholdet i denne filen er ingen av disse"),
])
def test_disguised_or_empty_files_are_refused(cast, make_case, name, content, message):
    case = make_case()
    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "Rapport", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_oversize_file_is_refused(cast, make_case, settings, pdf_bytes):
    settings.DOCUMENT_MAX_BYTES = 100
    case = make_case()
    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "Rapport", "file": SimpleUploadedFile("rapport.pdf", pdf_bytes)})
    assert response.status_code == 400
    assert "grensen er 100" in response.content.decode()
    assert not CaseDocument.objects.exists()


@pytest.mark.parametrize("evil_name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "<script>x</script>.pdf",
                                       "rapport\x00.exe.pdf", ".pdf"])
def test_malicious_file_names_never_reach_the_file_system(cast, make_case, pdf_bytes, evil_name):
    case = make_case(Status.PUBLISHED)
    client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "", "file": SimpleUploadedFile(evil_name, pdf_bytes)})
    document = case.documents.get()
    assert ".." not in document.file.name and "/" not in document.original_name and "<" not in document.original_name
    assert document.file.name.endswith(".pdf")
    response = client_for(None).get(f"/cases/{case.pk}/documents/{document.pk}/")
    disposition = response["Content-Disposition"]
    assert "/" not in disposition.split("filename")[-1] and "<" not in disposition
    assert "<script>x" not in client_for(None).get(f"/cases/{case.pk}/").content.decode()


def test_a_new_case_is_written_step_by_step_each_step_saved_as_a_draft(cast, bergen):
    alice = client_for(cast["alice"])
    first = alice.get("/cases/new/", headers={"accept-language": "nb"}).content.decode()
    # The first step asks only what a draft needs; the rest comes in later steps.
    assert 'name="title"' in first and 'name="outcome"' not in first and 'name="relative_advantage"' not in first
    assert "Steg 1 av 5" in first and 'aria-current="step"' in first
    empty = alice.post("/cases/new/", {"step": "need", "title": "", "summary": "", "language": "nb"})
    assert empty.status_code == 200 and not Case.objects.exists()
    saved = alice.post("/cases/new/", {"step": "need", "next_step": "procurement", "title": "Robot i tunnelen",
                                       "summary": "Inspeksjon uten å tømme.", "sector": "vann-avlop-avfall",
                                       "language": "nb", "cpv": "35125000"})
    case = Case.objects.get()
    assert saved.url == f"/cases/{case.pk}/edit/?step=procurement" and case.status == Status.DRAFT
    second = alice.get(saved.url).content.decode()
    assert 'name="procedure"' in second and 'name="title"' not in second
    # A later step changes its own fields and leaves the others as they were.
    alice.post(f"/cases/{case.pk}/edit/", {"step": "results", "outcome": "success", "lessons": "Lei først.",
                                           "benefits-TOTAL_FORMS": "0", "benefits-INITIAL_FORMS": "0"})
    case.refresh_from_db()
    assert (case.outcome, case.lessons, case.title) == ("success", "Lei først.", "Robot i tunnelen")
    assert list(case.cpv_codes.values_list("code", flat=True)) == ["35125000"]
    spread = alice.get(f"/cases/{case.pk}/edit/?step=spread", headers={"accept-language": "nb"}).content.decode()
    assert "Hva er bedre enn før?" in spread and 'name="relative_advantage"' in spread
    every = alice.get(f"/cases/{case.pk}/edit/?step=all").content.decode()
    assert all(f'name="{name}"' in every for name in ("title", "procedure", "outcome", "observability"))


def test_co_buyers_are_chosen_by_typing_their_name_told_apart_by_county(cast, make_case, bergen):
    case = make_case()
    alice = client_for(cast["alice"])
    page = alice.get(f"/cases/{case.pk}/edit/?step=procurement").content.decode()
    # The names are suggested from a list the browser shows as one types; no list of 373 to ctrl-click.
    assert '<option value="Våler (Østfold)"' in page and '<option value="Våler (Innlandet)"' in page
    assert 'name="partner_buyers_add"' in page and '<select name="partner_buyers"' not in page
    step = {"step": "procurement", "suppliers_add": ""}
    ambiguous = alice.post(f"/cases/{case.pk}/edit/", {**step, "partner_buyers_add": "Våler"},
                           headers={"accept-language": "nb"}).content.decode()
    assert "Våler (Innlandet), Våler (Østfold)" in ambiguous and not case.partner_buyers.exists()
    unknown = alice.post(f"/cases/{case.pk}/edit/", {**step, "partner_buyers_add": "Atlantis"},
                         headers={"accept-language": "nb"}).content.decode()
    assert "Delbar kjenner ingen som heter «Atlantis»" in unknown
    assert 'value="Atlantis"' in unknown  # what was typed stays in the box to be corrected
    # Two at once (a semicolon between), the county-qualified name or a unique bare name.
    alice.post(f"/cases/{case.pk}/edit/", {**step, "partner_buyers_add": "Våler (Østfold); lyngdal"})
    assert sorted(case.partner_buyers.values_list("name", "county__name")) == [
        ("Lyngdal", "Agder"), ("Våler", "Østfold")]
    # The chosen are ticked boxes: leaving one unticked removes it, the others stay.
    lyngdal = case.partner_buyers.get(name="Lyngdal")
    edit = alice.get(f"/cases/{case.pk}/edit/?step=procurement").content.decode()
    assert f'name="partner_buyers" value="{lyngdal.pk}"' in edit
    alice.post(f"/cases/{case.pk}/edit/", {**step, "partner_buyers": [lyngdal.pk], "partner_buyers_add": ""})
    assert list(case.partner_buyers.values_list("name", flat=True)) == ["Lyngdal"]
