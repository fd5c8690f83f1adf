"""Asking and answering on a case: asked once, answered once, in public, for everyone."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delbar import search as search_index
from delbar.accounts.people import editors_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases.models import Case, Status
from delbar.questions.models import Question


class QuestionError(ValueError):
    """A question or answer the rules do not allow; the message says why."""


@transaction.atomic
def ask(*, case: Case, actor, organization, body: str) -> Question:
    if case.status != Status.PUBLISHED:
        raise QuestionError(_("Questions are asked on published cases."))
    if organization is None:
        # A question notifies the case's owners and is public under an organization's name: an
        # account that acts for none (a fresh sign-up, a pending request) may not post one.
        raise QuestionError(_("Questions are asked on behalf of an organization. Ask to join yours first."))
    if not body.strip():
        raise QuestionError(_("Write your question."))
    question = Question.objects.create(case=case, author=actor, organization=organization, body=body.strip())
    record(actor=actor, action="case.question", obj=case, question=question.pk)
    notify(editors_of(case.lead_buyer_id), event=f"question:{question.pk}",
           title=_("New question on “%(case)s”") % {"case": case.title},
           url=f"{case.get_absolute_url()}#question-{question.pk}")
    return question


@transaction.atomic
def answer(*, question: Question, actor, body: str) -> Question:
    if not body.strip():
        raise QuestionError(_("Write your answer."))
    first = not question.is_answered
    question.answer = body.strip()
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    record(actor=actor, action="case.answer", obj=question.case, question=question.pk)
    # The answer is part of the case in search: others find it by what was asked.
    search_index.index(question.case)
    if first and question.author_id:
        notify([question.author], event=f"answer:{question.pk}",
               title=_("Your question on “%(case)s” is answered") % {"case": question.case.title},
               url=f"{question.case.get_absolute_url()}#question-{question.pk}")
    return question
