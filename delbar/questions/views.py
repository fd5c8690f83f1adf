from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.accounts.roles import roles_of
from delbar.cases import access as case_access
from delbar.orgs.models import Organization
from delbar.questions import actions
from delbar.questions.forms import AnswerForm, QuestionForm
from delbar.questions.models import Question


@login_required
@require_POST
@ratelimit(key="user", rate=lambda group, request: settings.DELBAR_QUESTION_RATE, block=True)
def question_ask(request, pk):
    case = case_access.get_case_for_user(request.user, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your question (at most 2,000 characters)."))
        return redirect(f"{case.get_absolute_url()}#questions")
    organization = Organization.objects.filter(pk__in=roles_of(request.user).member_org_ids).order_by("name").first()
    try:
        question = actions.ask(case=case, actor=request.user, organization=organization, body=form.cleaned_data["body"])
    except actions.QuestionError as error:
        messages.error(request, str(error))
        return redirect(f"{case.get_absolute_url()}#questions")
    messages.success(request, _("Your question is posted. %(buyer)s is told.") % {"buyer": case.lead_buyer.name})
    return redirect(f"{case.get_absolute_url()}#question-{question.pk}")


@login_required
@require_POST
def question_answer(request, pk, question_pk):
    case = case_access.get_case_for_user(request.user, pk)
    if not (case_access.is_owner(request.user, case) or roles_of(request.user).is_curator):
        raise PermissionDenied(_("The organization that owns the case answers."))
    question = get_object_or_404(Question, pk=question_pk, case=case)
    form = AnswerForm(request.POST)
    if form.is_valid():
        actions.answer(question=question, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your answer is published on the case."))
    else:
        messages.error(request, _("Write your answer (at most 5,000 characters)."))
    return redirect(f"{case.get_absolute_url()}#question-{question.pk}")
