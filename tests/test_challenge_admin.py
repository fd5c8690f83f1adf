"""The challenges in Django's admin: curators and admins read them and may correct a challenge's plain fields
(audited, and search follows); editors and suppliers do not get in; applications, evaluations and scores
cannot be changed or deleted there, and documents are not served from it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget

from delbar.audit.models import AuditEvent
from delbar.challenges import actions
from delbar.challenges.models import Application, Challenge, Evaluation, Score
from delbar.search import search
from tests.conftest import client_for
from tests.test_challenges import application_fields, close, group, run_challenge, suppliers  # noqa: F401


def _scored_challenge(group, cast, suppliers, pdf_bytes):  # noqa: F811
    """Bob's published challenge: Dave's application (with a document) in, closed, scored by Bob."""
    challenge = run_challenge(group, cast)
    first = challenge.phases.get(number=1)
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes, content_type="application/pdf")
    application = actions.apply(phase=first, actor=suppliers["dave"], lead=suppliers["dave_org"],
                                fields=application_fields(), documents=[(upload, "application/pdf", "Prosjektplan")])
    evaluator = actions.appoint_evaluator(challenge=challenge, actor=cast["bob"], user=cast["bob"],
                                          organization=group.lead)
    close(first)
    evaluation = actions.declare(evaluator=evaluator, application=application, actor=cast["bob"], has_conflict=False)
    actions.score(evaluation=evaluation, actor=cast["bob"], submit=True,
                  values={criterion.pk: (7, "Bra.") for criterion in challenge.criteria.all()})
    return challenge, application, evaluation


def _post_data(page) -> dict:
    """What the change page's forms hold, as a browser would post them unchanged."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(name): value
                     for name, value in formset.management_form.initial.items()})
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            key = form.add_prefix(name)
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, list | tuple):
                data[key] = [getattr(item, "pk", item) for item in value]
            elif value is None or value is False:
                continue
            else:
                data[key] = getattr(value, "pk", value)
    return data


def _errors(response) -> list:
    if not response.context:
        return []
    return [response.context["adminform"].form.errors] + [
        (inline.formset.prefix, inline.formset.errors, inline.formset.non_form_errors())
        for inline in response.context["inline_admin_formsets"]]


def test_curators_and_admins_reach_the_challenge_admin_pages_editors_and_suppliers_do_not(
        group, cast, suppliers, pdf_bytes):  # noqa: F811
    challenge, application, evaluation = _scored_challenge(group, cast, suppliers, pdf_bytes)
    pages = ["/admin/challenges/challenge/", f"/admin/challenges/challenge/{challenge.pk}/change/",
             "/admin/challenges/application/", f"/admin/challenges/application/{application.pk}/change/",
             "/admin/challenges/evaluation/", f"/admin/challenges/evaluation/{evaluation.pk}/change/",
             "/admin/challenges/challenge/?q=lekkasje", "/admin/challenges/application/?q=Dave"]
    for user in ("carol", "admin"):
        client = client_for(cast[user])
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    # Everyone else is sent to the admin's log-in: a buyer's editor (even the challenge's owner), a supplier.
    for user in ("alice", "bob", "dave"):
        client = client_for(cast[user])
        for url in pages:
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (user, url)


def test_documents_are_linked_to_the_checked_download_page_never_to_the_file(group, cast, suppliers, pdf_bytes):  # noqa: F811
    challenge, application, _evaluation = _scored_challenge(group, cast, suppliers, pdf_bytes)
    document = application.documents.get()
    page = client_for(cast["carol"]).get(f"/admin/challenges/application/{application.pk}/change/")
    html = page.content.decode()
    assert f"/challenges/{challenge.pk}/applications/{application.pk}/documents/{document.pk}/" in html
    assert document.file.name not in html and "Prosjektplan" in html


def test_a_curators_correction_is_audited_and_searched(group, cast, suppliers, pdf_bytes):  # noqa: F811
    challenge, _application, _evaluation = _scored_challenge(group, cast, suppliers, pdf_bytes)
    client = client_for(cast["carol"])
    client.cookies["django_language"] = "en"
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = _post_data(client.get(url))
    data["title"] = "Undervannsrobot for lekkasjesøk"
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    challenge.refresh_from_db()
    assert challenge.title == "Undervannsrobot for lekkasjesøk"
    event = AuditEvent.objects.get(action="challenge.admin_change", actor=cast["carol"])
    assert event.object_id == str(challenge.pk) and event.data["fields"] == ["title"]
    assert [hit.document.object_id for hit in search("undervannsrobot", kinds=["challenge"]).shown()] == [challenge.pk]

    # The pages' rules hold here too: a notice address off Doffin and TED is refused, and nothing changes.
    data["notice_url"] = "https://example.com/notice"
    refused = client.post(url, data)
    assert refused.status_code == 200 and "doffin.no" in str(refused.context["adminform"].form.errors["notice_url"])
    challenge.refresh_from_db()
    assert challenge.notice_url == "" and AuditEvent.objects.filter(action="challenge.admin_change").count() == 1


def test_criteria_change_in_the_admin_until_scored_against(group, cast, suppliers, pdf_bytes):  # noqa: F811
    client = client_for(cast["admin"])
    unscored = run_challenge(group, cast)
    url = f"/admin/challenges/challenge/{unscored.pk}/change/"
    data = _post_data(client.get(url)) | {"criteria-0-weight": "35", "criteria-1-weight": "40"}
    assert client.post(url, data).status_code == 302
    assert [c.weight for c in unscored.criteria.all()] == [35, 40, 25]
    # Weights that do not add up to 100 are refused, as on the pages.
    assert client.post(url, data | {"criteria-2-weight": "30"}).status_code == 200
    assert [c.weight for c in unscored.criteria.all()] == [35, 40, 25]

    scored, _application, _evaluation = _scored_challenge(group, cast, suppliers, pdf_bytes)
    url = f"/admin/challenges/challenge/{scored.pk}/change/"
    # The same correction, once scored against, changes nothing.
    data = _post_data(client.get(url)) | {"criteria-0-weight": "35", "criteria-1-weight": "40"}
    client.post(url, data)
    assert [(c.name, c.weight) for c in scored.criteria.all()] == [
        ("Innovasjonshøyde", 40), ("Gjennomførbarhet", 35), ("Pris", 25)]


def test_applications_evaluations_and_scores_cannot_be_changed_or_deleted_in_the_admin(
        group, cast, suppliers, pdf_bytes):  # noqa: F811
    _challenge, application, evaluation = _scored_challenge(group, cast, suppliers, pdf_bytes)
    for user in ("carol", "admin"):
        client = client_for(cast[user])
        for name, obj in (("application", application), ("evaluation", evaluation)):
            page = client.get(f"/admin/challenges/{name}/{obj.pk}/change/")
            assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
            assert client.post(f"/admin/challenges/{name}/{obj.pk}/change/", {"status": "awarded",
                                                                               "has_conflict": "on"}).status_code == 403
            assert client.get(f"/admin/challenges/{name}/{obj.pk}/delete/").status_code == 403
            assert client.post(f"/admin/challenges/{name}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
            assert client.get(f"/admin/challenges/{name}/add/").status_code == 403
        # Nor in bulk from the list.
        listing = client.post("/admin/challenges/application/", {"action": "delete_selected", "_selected_action":
                                                                 [application.pk], "post": "yes"})
        assert listing.status_code in (200, 302)
    application.refresh_from_db()
    evaluation.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and not evaluation.has_conflict
    assert Application.objects.count() == 1 and Evaluation.objects.count() == 1 and Score.objects.count() == 3
    assert application.documents.count() == 1
    # Scores have no admin of their own: they are read on the evaluation.
    assert client_for(cast["admin"]).get("/admin/challenges/score/").status_code == 404
    assert Challenge.objects.count() == 1
