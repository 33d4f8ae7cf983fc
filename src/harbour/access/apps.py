from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "harbour.access"
    verbose_name = "Access and audit"
