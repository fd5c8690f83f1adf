"""A person's own data: "Download my data" and "Delete my account" (docs/privacy.md)."""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from delbar.accounts.personal_data import erase_user, export_personal_data, organizations_left_without_administrator


class DeleteAccountForm(forms.Form):
    """A ticked box, not a password: people who log in with ID-porten have none, and a username typed
    back proves no more than the session already does."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data are deleted for good"),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")})


@login_required
def my_data(request):
    response = JsonResponse(export_personal_data(request.user), encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="delbar-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        orphaned = erase_user(user=request.user, actor=request.user)
        logout(request)
        return render(request, "accounts/delete_done.html", {"orphaned": orphaned})
    context = {"form": form, "orphaned": organizations_left_without_administrator(request.user)}
    return render(request, "accounts/delete_account.html", context, status=400 if form.errors else 200)
