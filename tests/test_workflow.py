"""The case workflow: revisions, audit events, returning with a comment, reuse, and deleting drafts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delbar.audit.models import AuditEvent
from delbar.cases import actions
from delbar.cases.models import Case, CaseDocument, Status
from tests.conftest import client_for


def test_every_change_leaves_a_revision_and_an_audit_event(cast, make_case):
    case = make_case(Status.PUBLISHED)
    revisions = list(case.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[1].changed_fields == ["status"] and revisions[1].author == cast["alice"]
    assert revisions[2].author == cast["carol"] and revisions[2].snapshot["status"] == "published"
    events = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("id")
    assert [e.action for e in events] == ["case.create", "case.submit", "case.publish"]
    assert events.last().actor == cast["carol"]


def test_unchanged_save_leaves_no_trace(cast, make_case):
    case = make_case()
    changed = actions.update_case(case=case, actor=cast["alice"], fields={"title": case.title})
    assert not changed and case.revisions.count() == 1


def test_curator_returns_with_comment_and_editor_sees_it(cast, make_case):
    case = make_case(Status.SUBMITTED)
    response = client_for(cast["carol"]).post(f"/cases/{case.pk}/return/", {"comment": "Legg til kontraktsverdi."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.return_comment == "Legg til kontraktsverdi."
    assert "Legg til kontraktsverdi." in client_for(cast["alice"]).get(f"/cases/{case.pk}/edit/").content.decode()
    assert AuditEvent.objects.filter(action="case.return", data__comment="Legg til kontraktsverdi.").exists()


def test_return_without_comment_is_refused(cast, make_case):
    case = make_case(Status.SUBMITTED)
    client_for(cast["carol"]).post(f"/cases/{case.pk}/return/", {"comment": "  "})
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_wrong_transition_is_a_message_not_an_error(cast, make_case):
    case = make_case(Status.PUBLISHED)
    with pytest.raises(actions.TransitionError):
        actions.submit_case(case=case, actor=cast["alice"])


def test_reuse_copies_need_requirements_and_documents_with_attribution(cast, make_case, pdf_bytes, lyngdal):
    source = make_case(Status.DRAFT, need="Tunnelene må inspiseres uten tømming.", requirements="Kabel på 2 km.")
    actions.attach_document(case=source, actor=cast["alice"], content_type="application/pdf", kind="requirements",
                            title="Kravspesifikasjon", upload=SimpleUploadedFile("krav.pdf", pdf_bytes))
    actions.submit_case(case=source, actor=cast["alice"])
    actions.publish_case(case=source, actor=cast["carol"])
    response = client_for(cast["bob"]).post(f"/cases/{source.pk}/reuse/")
    assert response.status_code == 302
    draft = Case.objects.exclude(pk=source.pk).get()
    assert draft.lead_buyer == lyngdal and draft.status == Status.DRAFT and draft.based_on == source
    assert draft.need == source.need and draft.requirements == source.requirements and draft.summary == ""
    copy = draft.documents.get()
    assert copy.copied_from == source.documents.get() and "Bergen" in copy.attribution
    assert copy.file.name != source.documents.get().file.name
    with copy.file.open("rb") as handle:
        assert handle.read() == pdf_bytes
    # Bob's draft stays invisible to others until published; Alice sees who built on her case later.
    assert client_for(cast["alice"]).get(f"/cases/{draft.pk}/").status_code == 404


def test_suppliers_and_anonymous_cannot_reuse(cast, make_case):
    source = make_case(Status.PUBLISHED)
    assert client_for(cast["dave"]).post(f"/cases/{source.pk}/reuse/").status_code == 403
    assert client_for(None).post(f"/cases/{source.pk}/reuse/").status_code == 302  # to the login page
    assert Case.objects.count() == 1


def test_deleting_a_draft_removes_its_files(cast, make_case, pdf_bytes):
    case = make_case()
    document = actions.attach_document(case=case, actor=cast["alice"], content_type="application/pdf",
                                       kind="report", title="R", upload=SimpleUploadedFile("r.pdf", pdf_bytes))
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    client_for(cast["alice"]).post(f"/cases/{case.pk}/delete/")
    assert not Case.objects.exists() and not CaseDocument.objects.exists() and not storage.exists(name)


def test_my_organization_lists_cases_by_status(cast, make_case):
    make_case(Status.DRAFT, title="Mitt utkast")
    make_case(Status.PUBLISHED, title="Min publiserte")
    page = client_for(cast["alice"]).get("/my/").content.decode()
    assert "Mitt utkast" in page and "Min publiserte" in page
    assert "Mitt utkast" not in client_for(cast["bob"]).get("/my/").content.decode()


def test_history_is_shown_to_those_who_may_edit(cast, make_case):
    case = make_case(Status.PUBLISHED)
    owner_page = client_for(cast["alice"]).get(f"/cases/{case.pk}/").content.decode()
    assert "Historikk (3)" in owner_page and "status" in owner_page
    assert "Historikk" not in client_for(None).get(f"/cases/{case.pk}/").content.decode()
