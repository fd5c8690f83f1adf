from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "delbar.challenges"
    verbose_name = _("Innovation competitions")

    def ready(self):
        from delbar.challenges import search  # noqa: F401 - registers the search kind
