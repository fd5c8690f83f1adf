from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "delbar.dialogues"
    verbose_name = _("Dialogue conferences")
