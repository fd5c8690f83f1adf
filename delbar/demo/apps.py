from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "delbar.demo"
    verbose_name = "Demo data"
