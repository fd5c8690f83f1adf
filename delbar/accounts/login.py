"""allauth's log-in form as Delbar shows it. Apart from forms.py, which allauth itself imports for the
sign-up form (ACCOUNT_SIGNUP_FORM_CLASS) while its own forms module loads."""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(allauth_forms.LoginForm):
    """allauth's log-in form, with a label that says what to type and the reset link once, under the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or e-mail address")
        self.fields["password"].help_text = ""
