from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "delbar.web"
    verbose_name = "Web pages"
