from django.apps import AppConfig
from django.utils.translation import gettext_noop

# Django 6.1's label for an empty choice has no bokmål translation in Django yet; ours covers it.
gettext_noop("- Select an option -")


class WebConfig(AppConfig):
    name = "delbar.web"
    verbose_name = "Web pages"
