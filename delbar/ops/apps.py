from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "delbar.ops"
    label = "ops"
    verbose_name = "Operations"
