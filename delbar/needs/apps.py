from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "delbar.needs"
    verbose_name = _("Needs")

    def ready(self):
        from delbar.needs import search, tasks  # noqa: F401 - registers the search kind and the refresh task
