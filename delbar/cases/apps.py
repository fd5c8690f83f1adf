from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "delbar.cases"
    verbose_name = _("Cases")

    def ready(self):
        from delbar.cases import matching, search  # noqa: F401 - registers the search and match kinds
