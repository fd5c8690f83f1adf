from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "delbar.api"
    verbose_name = "API"
