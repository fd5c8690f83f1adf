"""Applying to a challenge through the pages: a supplier (with a consortium partner and documents) applies to
an open phase, sees its status, changes and withdraws it until the deadline; hostile documents are refused
with the reason and nothing is stored; after the deadline, before the call opens, twice, for a buyer and for
an invited-only phase the page refuses with the reason. The status says "Submitted" until the phase's result
is sent."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delbar.audit.models import AuditEvent
from delbar.cases.documents import NOT_A_DOCUMENT
from delbar.challenges import actions
from delbar.challenges.models import Application, ApplicationDocument, Phase
from delbar.suppliers.models import Solution
from tests.conftest import client_for
from tests.test_challenges import application_fields, close, group, later, run_challenge, suppliers  # noqa: F401

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200
PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def english(user):
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def form_data(lead=None, **overrides) -> dict:
    """The application form as a browser posts it (`lead`: the organization, or its pk)."""
    lead = {"lead": getattr(lead, "pk", lead)} if lead is not None else {}
    return {**lead, "title": "Akustiske lyttesensorer", "summary": "Sensorer som hører lekkasjer.",
            "approach": "Vi monterer 40 sensorer.", "innovation": "Maskinlæring på lyden.",
            "team": "Fem ingeniører.", "plan": "Tre måneder.", "amount_nok": "400000", **overrides}


def apply_url(challenge, phase) -> str:
    return f"/challenges/{challenge.pk}/phases/{phase.pk}/apply/"


def detail_url(application) -> str:
    return f"/challenges/{application.phase.challenge_id}/applications/{application.pk}/"


@pytest.fixture
def challenge(group, cast):  # noqa: F811
    return run_challenge(group, cast)


@pytest.fixture
def first(challenge):
    return challenge.phases.get(number=1)


def test_a_supplier_applies_as_a_consortium_with_documents_and_sees_its_application(
        challenge, first, suppliers, pdf_bytes):  # noqa: F811
    dave = english(suppliers["dave"])
    solution = Solution.objects.create(organization=suppliers["dave_org"], title="LekkasjeLytter",
                                       description="Lyttesensorer.")
    form = dave.get(apply_url(challenge, first))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Deadline:" in page and str(first.closes_at.year) in page
    assert 'name="document_1"' in page and "LekkasjeLytter" in page

    response = dave.post(apply_url(challenge, first), form_data(
        suppliers["dave_org"], partners_add="Vannvakt AS", solution=solution.pk,
        document_title_1="Budsjett", document_1=SimpleUploadedFile("budsjett.pdf", pdf_bytes, "application/pdf")))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(application)
    assert (application.lead, application.title, application.amount_nok, application.solution) == (
        suppliers["dave_org"], "Akustiske lyttesensorer", 400_000, solution)
    assert list(application.partners.all()) == [suppliers["erik_org"]]
    document = application.documents.get()
    assert (document.title, document.content_type, document.original_name) == (
        "Budsjett", "application/pdf", "budsjett.pdf")
    assert AuditEvent.objects.filter(action="challenge.apply").count() == 1

    page = dave.get(detail_url(application)).content.decode()
    for shown in ("Akustiske lyttesensorer", "Maskinlæring på lyden.", "Vannvakt AS", "LekkasjeLytter", "Budsjett",
                  "Submitted", "Change the application", "Withdraw the application"):
        assert shown in page, shown
    assert re.search(r"400\D?000 kr", page)

    download = dave.get(f"{detail_url(application)}documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment") and "budsjett.pdf" in disposition

    # The consortium partner reads it, but only the lead's people change it.
    erik = english(suppliers["erik"])
    assert erik.get(detail_url(application)).status_code == 200
    refused = erik.get(f"{detail_url(application)}edit/")
    assert refused.status_code == 403 and "lead applicant" in refused.content.decode()


def test_the_lead_changes_the_application_and_its_documents_until_the_deadline(
        challenge, first, suppliers, pdf_bytes):  # noqa: F811
    application = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                                fields=application_fields(), documents=[
                                    (SimpleUploadedFile("cv.pdf", pdf_bytes), "application/pdf", "CV")])
    dave = english(suppliers["dave"])
    edit = f"{detail_url(application)}edit/"
    page = dave.get(edit).content.decode()
    assert "Akustiske lyttesensorer" in page and "CV" in page and "Deadline:" in page

    response = dave.post(edit, form_data(title="Lyttesensorer med KI", amount_nok="450000", document_title_2="Plan",
                                         document_2=SimpleUploadedFile("plan.pdf", pdf_bytes)))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.title, application.amount_nok) == ("Lyttesensorer med KI", 450_000)
    assert sorted(application.documents.values_list("title", flat=True)) == ["CV", "Plan"]

    cv = application.documents.get(title="CV")
    assert dave.get(f"{detail_url(application)}documents/{cv.pk}/remove/").status_code == 405
    assert dave.post(f"{detail_url(application)}documents/{cv.pk}/remove/").status_code == 302
    assert list(application.documents.values_list("title", flat=True)) == ["Plan"]

    close(first)
    refused = dave.get(edit)
    assert refused.status_code == 403 and "Applications closed on" in refused.content.decode()
    assert dave.post(edit, form_data(title="For sent")).status_code == 403
    plan = application.documents.get()
    assert dave.post(f"{detail_url(application)}documents/{plan.pk}/remove/").status_code == 403
    assert dave.post(f"{detail_url(application)}withdraw/").status_code == 403
    application.refresh_from_db()
    assert application.title == "Lyttesensorer med KI" and application.status == "submitted"
    assert application.documents.count() == 1
    page = dave.get(detail_url(application)).content.decode()
    assert "Change the application" not in page and "Withdraw the application" not in page


def test_a_supplier_withdraws_and_cannot_send_it_again(challenge, first, suppliers):  # noqa: F811
    application = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                                fields=application_fields())
    dave = english(suppliers["dave"])
    assert dave.post(f"{detail_url(application)}withdraw/").status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert AuditEvent.objects.filter(action="challenge.withdraw").exists()
    assert "Withdrawn" in dave.get(detail_url(application)).content.decode()
    again = dave.get(apply_url(challenge, first), follow=True)
    assert again.redirect_chain[-1][0] == detail_url(application)
    assert "withdrew its application" in again.content.decode()


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("tilbud.pdf", PROGRAM, "application/pdf"),
    SimpleUploadedFile("tilbud.html", PAGE, "text/html"),
    SimpleUploadedFile("tilbud.pdf", PAGE, "application/pdf"),
], ids=["program-named-pdf", "html", "html-named-pdf"])
def test_hostile_documents_are_refused_with_the_reason_and_nothing_is_stored(
        challenge, first, suppliers, upload, settings, pdf_bytes):  # noqa: F811
    upload.seek(0)
    dave = english(suppliers["dave"])
    response = dave.post(apply_url(challenge, first),
                         form_data(suppliers["dave_org"], document_title_1="Tilbud", document_1=upload))
    assert response.status_code == 400
    assert str(NOT_A_DOCUMENT) in response.context["form"].errors["document_1"]
    assert str(NOT_A_DOCUMENT) in response.content.decode()
    assert not Application.objects.exists() and not ApplicationDocument.objects.exists()

    # Nor when added to an application already sent: the other changes are not saved either.
    application = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                                fields=application_fields())
    upload.seek(0)
    response = dave.post(f"{detail_url(application)}edit/", form_data(title="Ny tittel", document_1=upload))
    assert response.status_code == 400 and "document_1" in response.context["form"].errors
    application.refresh_from_db()
    assert application.title == "Akustiske lyttesensorer" and not ApplicationDocument.objects.exists()
    media = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert not [path for path in Path(media).rglob("*") if path.is_file()]


def test_bad_values_are_shown_beside_their_fields(challenge, first, suppliers):  # noqa: F811
    dave = english(suppliers["dave"])
    response = dave.post(apply_url(challenge, first), form_data(
        suppliers["dave_org"], amount_nok="5000000", approach="  ", partners_add="Ingen Slik AS"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"amount_nok", "approach", "partners"}
    assert "budget" in errors["amount_nok"][0] and "Ingen Slik AS" in errors["partners"][0]
    assert 'href="#id_amount_nok"' in response.content.decode()  # the error summary links to the field
    assert not Application.objects.exists()


def test_refusals_say_why(challenge, first, suppliers, cast, group):  # noqa: F811
    second = challenge.phases.get(number=2)
    dave, erik = english(suppliers["dave"]), english(suppliers["erik"])
    # Not open yet.
    early = dave.get(apply_url(challenge, second))
    assert early.status_code == 403 and "Applications open on" in early.content.decode()
    # A buyer, and nobody logged in.
    buyer = english(cast["alice"]).get(apply_url(challenge, first))
    assert buyer.status_code == 403 and "suppliers" in buyer.content.decode()
    assert client_for(None).get(apply_url(challenge, first)).status_code == 302
    assert english(cast["alice"]).post(apply_url(challenge, first), form_data(group.lead)).status_code == 403

    # Twice: the page and a second sending lead to the application sent.
    assert dave.post(apply_url(challenge, first), form_data(suppliers["dave_org"])).status_code == 302
    application = Application.objects.get()
    twice = dave.get(apply_url(challenge, first), follow=True)
    assert twice.redirect_chain[-1][0] == detail_url(application)
    assert "has applied to this phase already" in twice.content.decode()
    assert dave.post(apply_url(challenge, first), form_data(suppliers["dave_org"], title="Igjen")).status_code == 302
    assert Application.objects.count() == 1

    # After the deadline.
    close(first)
    late = erik.get(apply_url(challenge, first))
    assert late.status_code == 403 and "Applications closed on" in late.content.decode()
    assert erik.post(apply_url(challenge, first), form_data(suppliers["erik_org"])).status_code == 403

    # Invited only: Dave went on, Vannvakt did not apply and is not invited.
    actions.award(phase=first, actor=cast["bob"], awards={application.pk: 300_000}, justification="Best.")
    Phase.objects.filter(pk=second.pk).update(opens_at=later(hours=-1))
    invited_only = erik.get(apply_url(challenge, second))
    assert invited_only.status_code == 403 and "awarded in the phase before" in invited_only.content.decode()
    assert dave.get(apply_url(challenge, second)).status_code == 200
    assert Application.objects.count() == 1


def test_the_status_stays_submitted_until_the_result_is_sent(challenge, first, suppliers, cast):  # noqa: F811
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields())
    theirs = actions.apply(phase=first, actor=suppliers["erik"], lead=suppliers["erik_org"],
                           fields=application_fields(title="Fiberoptikk"))
    close(first)
    dave, erik = english(suppliers["dave"]), english(suppliers["erik"])
    # A result stored but not yet sent shows nothing of it.
    Application.objects.filter(pk=ours.pk).update(status="awarded", awarded_nok=300_000)
    page = dave.get(detail_url(ours)).content.decode()
    assert "Submitted" in page and "Awarded" not in page and not re.search(r"300\D?000", page)
    mine = dave.get("/challenges/mine/").content.decode()
    assert "Submitted" in mine and "Awarded" not in mine

    Application.objects.filter(pk=ours.pk).update(status="submitted", awarded_nok=None)
    actions.award(phase=first, actor=cast["bob"], awards={ours.pk: 300_000}, justification="Sensorene var best.")
    page = dave.get(detail_url(ours)).content.decode()
    assert "Awarded" in page and re.search(r"300\D?000 kr awarded", page) and "Sensorene var best." in page
    theirs_page = erik.get(detail_url(theirs)).content.decode()
    assert "Not awarded" in theirs_page and not re.search(r"300\D?000", theirs_page)
    assert "Awarded" in dave.get("/challenges/mine/").content.decode()
    # The published result it links to is the challenge's page, which the applicant may read (the owners'
    # result page answered the applicant 403).
    published = f'/challenges/{first.challenge_id}/#phase-{first.number}'
    assert f'href="{published}"' in page
    assert dave.get(published).status_code == 200


def test_my_challenges_lists_the_supplier_s_applications_with_status_and_deadline(
        challenge, first, suppliers, cast):  # noqa: F811
    ours = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                         fields=application_fields(), partners=[suppliers["erik_org"]])
    page = english(suppliers["dave"]).get("/challenges/mine/").content.decode()
    assert ours.title in page and challenge.title in page and "Submitted" in page
    assert timezone.localtime(first.closes_at).strftime("%H:%M") in page
    assert detail_url(ours) in page
    # The partner sees it too; a buyer who is neither owner nor evaluator does not.
    assert ours.title in english(suppliers["erik"]).get("/challenges/mine/").content.decode()
    assert ours.title not in english(cast["alice"]).get("/challenges/mine/").content.decode()
    # "My organization" leads there.
    assert "/challenges/mine/" in english(suppliers["dave"]).get("/my/").content.decode()
