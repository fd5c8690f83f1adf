"""/api/cases/{id}/questions: questions asked on a case and the owner's answers."""

from ninja import Router, Status
from ninja.errors import HttpError

from delbar.accounts.roles import roles_of
from delbar.api.auth import TokenAuth
from delbar.api.cases import ERRORS, _case_for
from delbar.api.schemas import AnswerIn, Id, QuestionIn, QuestionOut
from delbar.cases import access
from delbar.orgs.models import Organization
from delbar.questions import actions

router = Router(tags=["cases"])


def question_out(question) -> dict:
    return {"id": question.pk, "case": question.case_id, "body": question.body,
            "organization": question.organization.name if question.organization else None,
            "created_at": question.created_at, "answer": question.answer, "answered_at": question.answered_at}


@router.get("/{id:case_id}/questions", response={200: list[QuestionOut], **ERRORS},
            summary="Questions on a case, with answers")
def list_questions(request, case_id: Id):
    case = _case_for(request, case_id)
    return [question_out(q) for q in case.questions.select_related("organization")]


@router.post("/{id:case_id}/questions", response={201: QuestionOut, **ERRORS}, auth=TokenAuth(),
             summary="Ask a question on a published case")
def ask(request, case_id: Id, payload: QuestionIn):
    case = _case_for(request, case_id)
    organization = Organization.objects.filter(pk__in=roles_of(request.auth).member_org_ids).order_by("name").first()
    try:
        question = actions.ask(case=case, actor=request.auth, organization=organization, body=payload.body)
    except actions.QuestionError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, question_out(question))


@router.post("/{id:case_id}/questions/{id:question_id}/answer", response={200: QuestionOut, **ERRORS},
             auth=TokenAuth(), summary="Answer a question (the case's owner or a curator)")
def answer(request, case_id: Id, question_id: Id, payload: AnswerIn):
    case = _case_for(request, case_id)
    if not (access.is_owner(request.auth, case) or roles_of(request.auth).is_curator):
        raise HttpError(403, "The organization that owns the case answers.")
    question = case.questions.filter(pk=question_id).first()
    if question is None:
        raise HttpError(404, "No such question on this case.")
    return question_out(actions.answer(question=question, actor=request.auth, body=payload.body))
