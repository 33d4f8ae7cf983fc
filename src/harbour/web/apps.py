from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "harbour.web"
    verbose_name = "Web layout"
