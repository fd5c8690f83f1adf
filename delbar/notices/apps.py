from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "delbar.notices"
    verbose_name = _("Notices")

    def ready(self):
        from delbar.notices import matching, search  # noqa: F401 - registers the search and match kinds
