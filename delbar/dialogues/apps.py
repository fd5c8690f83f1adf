from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "delbar.dialogues"
    verbose_name = _("Dialogue conferences")

    def ready(self):
        from delbar.dialogues import search, tasks  # noqa: F401 - registers the search kind and the reminder task
