from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.accounts import access
from delbar.accounts.actions import request_membership
from delbar.accounts.models import ApiToken, Membership, Role
from delbar.orgs.models import Organization
from delbar.orgs.numbers import is_valid_org_number


def find_organization(value: str) -> Organization:
    """The organization named by a nine-digit organization number (mod-11 checked) or by its exact name."""
    value = " ".join(value.split())
    digits = value.replace(" ", "")
    if digits.isdigit():
        if not is_valid_org_number(digits):
            raise forms.ValidationError(_("%(number)s is not a valid organization number (nine digits, "
                                          "the last a check digit).") % {"number": digits})
        found = Organization.objects.filter(org_number=digits).first()
    else:
        found = Organization.objects.filter(Q(name__iexact=value) | Q(official_name__iexact=value)).first()
    if found is None:
        raise forms.ValidationError(_("Delbar does not know this organization. Check the organization number, "
                                      "or leave the field empty and ask Delbar's administrators."))
    return found


class SignupExtraForm(forms.Form):
    """What allauth's sign-up form asks beyond e-mail and password: a name, and whom the person works for.
    The organization becomes a request that its administrators approve (accounts/actions.py)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    organization = forms.CharField(
        label=_("Your organization (optional)"), max_length=300, required=False,
        help_text=_("The organization number (nine digits) or the name of the organization you work for. "
                    "Its administrators approve that you act for it. Public employees can log in with "
                    "Ansattporten instead."))

    def clean_organization(self):
        value = self.cleaned_data["organization"].strip()
        return find_organization(value) if value else None

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        if self.cleaned_data.get("organization"):
            request_membership(user=user, organization=self.cleaned_data["organization"],
                               source=Membership.Source.SIGNUP)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What is the token for?"), max_length=100)
    scope = forms.ChoiceField(label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ,
                              widget=forms.RadioSelect)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=ApiToken.MAX_DAYS,
                              initial=ApiToken.DEFAULT_DAYS)


class GrantForm(forms.Form):
    """An organization's administrator gives a person a role: the person is named by username or e-mail."""

    person = forms.CharField(label=_("Username or e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, actor, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in access.grantable_roles(actor, organization)]

    def clean_person(self):
        value = self.cleaned_data["person"].strip()
        user = get_user_model().objects.filter(Q(username=value) | Q(email__iexact=value), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No one with that username or e-mail address has an account. Ask them "
                                          "to log in once with ID-porten or to sign up."))
        return user


class ContactForm(forms.Form):
    procurement_contact = forms.EmailField(label=_("Procurement contact address"), required=False,
                                           help_text=_("A shared address, such as innkjop@kommune.no."))
