from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiffusionConfig(AppConfig):
    name = "delbar.diffusion"
    verbose_name = _("Diffusion")
