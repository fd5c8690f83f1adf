from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "delbar.search"
    verbose_name = _("Search")

    def ready(self):
        from delbar.search import filters  # noqa: F401 - the filters every kind may share
