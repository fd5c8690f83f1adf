from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.accounts.forms import SignupForm, TokenForm
from delbar.accounts.models import ApiToken
from delbar.audit import record


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        record(actor=user, action="user.signup", obj=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Delbar. Ask your organization's administrator or a curator "
                                    "to add you as an editor so you can write cases."))
        return redirect("profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    context = {
        "memberships": request.user.memberships.select_related("organization"),
        "tokens": request.user.api_tokens.all(),
        "token_form": TokenForm(),
        "new_token": request.session.pop("new_token", None),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        record(actor=request.user, action="token.create", obj=token)
        # Shown once, on the next page, then gone: only the hash is stored.
        request.session["new_token"] = raw
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    record(actor=request.user, action="token.revoke", obj=token)
    token.delete()
    messages.success(request, _("The token is revoked."))
    return redirect("profile")
