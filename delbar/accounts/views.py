from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.accounts import access, actions, oidc
from delbar.accounts.forms import ContactForm, GrantForm, TokenForm
from delbar.accounts.models import ApiToken, Membership, Role
from delbar.audit import record
from delbar.audit.models import AuditEvent
from delbar.orgs.models import Organization

MEMBERSHIP_ACTIONS = ["membership.request", "membership.approve", "membership.decline", "membership.grant",
                      "membership.remove", "organization.contact"]


def oidc_login(request, name):
    if name not in oidc.providers():
        raise Http404("No such log-in.")
    return oidc.authorize_redirect(request, name, request.build_absolute_uri(reverse("oidc_callback", args=[name])))


def oidc_callback(request, name):
    if name not in oidc.providers():
        raise Http404("No such log-in.")
    try:
        claims = oidc.verified_claims(request, name)
    except oidc.LoginRefused as error:
        label = oidc.providers()[name]["label"]
        messages.error(request, _("The log-in with %(provider)s did not succeed: %(reason)s") % {
            "provider": label, "reason": error})
        return redirect("account_login")
    user = oidc.user_for(name=name, claims=claims)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record(actor=user, action="user.login", obj=user, provider=name, acr=claims.get("acr", ""))
    pending = user.memberships.pending().select_related("organization").first()
    if pending is not None:
        messages.info(request, _("You have asked to act for %(organization)s. Its administrators are told, and "
                                 "you can write for it once they approve.") % {"organization": pending.organization})
    return redirect("my_organization")


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
        token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"],
                                    scope=form.cleaned_data["scope"], days=form.cleaned_data["days"])
        record(actor=request.user, action="token.create", obj=token, scope=token.scope)
        # Shown once, on the next page, then gone: only the hash is stored.
        request.session["new_token"] = raw
    else:
        messages.error(request, _("Give the token a name, an access and a number of days (1–365)."))
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    record(actor=request.user, action="token.revoke", obj=token)
    token.delete()
    messages.success(request, _("The token is revoked."))
    return redirect("profile")


def _organization_for_members(user, pk) -> Organization:
    organization = get_object_or_404(Organization, pk=pk)
    if not access.can_see_members(user, organization):
        raise PermissionDenied(_("Only the organization's members see who acts for it."))
    return organization


def _history(organization) -> list:
    events = list(AuditEvent.objects.filter(object_type="organization", object_id=str(organization.pk),
                                            action__in=MEMBERSHIP_ACTIONS).select_related("actor")[:50])
    labels = dict(Role.choices)
    for event in events:
        event.role_label = labels.get(event.data.get("role"), event.data.get("role", ""))
    return events


@login_required
def members(request, pk):
    """Who acts for an organization, the requests waiting, and the history of grants and removals."""
    organization = _organization_for_members(request.user, pk)
    memberships = list(organization.memberships.select_related("user").order_by("status", "role", "user__last_name"))
    can_manage = access.can_manage_members(request.user, organization)
    for membership in memberships:
        membership.removable = access.can_remove(request.user, membership)
    context = {
        "organization": organization,
        "active": [m for m in memberships if not m.is_pending],
        "pending": [m for m in memberships if m.is_pending],
        "can_manage": can_manage,
        "grant_form": GrantForm(actor=request.user, organization=organization) if can_manage else None,
        "contact_form": ContactForm(initial={"procurement_contact": organization.procurement_contact}),
        "history": _history(organization),
    }
    return render(request, "accounts/members.html", context)


@login_required
@require_POST
def member_grant(request, pk):
    organization = _organization_for_members(request.user, pk)
    if not access.can_manage_members(request.user, organization):
        raise PermissionDenied(_("Only the organization's administrators give roles."))
    form = GrantForm(request.POST, actor=request.user, organization=organization)
    if form.is_valid():
        try:
            membership = actions.grant_role(user=form.cleaned_data["person"], organization=organization,
                                            role=form.cleaned_data["role"], actor=request.user)
        except actions.MembershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(person)s now has the role %(role)s.") % {
                "person": membership.user.get_full_name() or membership.user.get_username(),
                "role": membership.get_role_display()})
            return redirect("organization_members", pk=organization.pk)
    context = {"organization": organization, "form": form, "forms_with_errors": [form]}
    return render(request, "accounts/grant.html", context, status=400)


@login_required
@require_POST
def member_decide(request, pk, decision):
    membership = get_object_or_404(Membership.objects.select_related("organization", "user"), pk=pk)
    organization = membership.organization
    if not access.can_see_members(request.user, organization):
        raise Http404("No such membership.")
    do = {"approve": actions.approve_membership, "decline": actions.decline_membership,
          "remove": actions.remove_membership}[decision]
    try:
        do(membership=membership, actor=request.user)
    except actions.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, {"approve": _("The request is approved."), "decline": _("The request is declined."),
                                   "remove": _("The person no longer acts for the organization.")}[decision])
    return redirect("organization_members", pk=organization.pk)


@login_required
@require_POST
def organization_contact(request, pk):
    organization = _organization_for_members(request.user, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid e-mail address, or leave the field empty."))
    else:
        try:
            actions.set_procurement_contact(organization=organization, actor=request.user,
                                            email=form.cleaned_data["procurement_contact"])
        except actions.MembershipError as error:
            raise PermissionDenied(str(error)) from None
        messages.success(request, _("The contact address is saved."))
    return redirect("organization_members", pk=organization.pk)
