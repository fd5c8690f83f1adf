"""allauth's account adapter, with what Delbar says when a log-in is throttled."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The throttle also refuses log-ins while the shared cache is down (it cannot count attempts
        # then, and fails closed): the message must not blame the person for that.
        "too_many_login_attempts": _("Log-in is paused: too many attempts, or Delbar cannot count attempts "
                                     "just now. Try again in a few minutes."),
    }
