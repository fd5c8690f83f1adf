from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "delbar.suppliers"
    verbose_name = _("Suppliers")

    def ready(self):
        from delbar.suppliers import matching, search  # noqa: F401 - registers the search and match kinds
