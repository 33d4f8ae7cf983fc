from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "harbour.identity"
    verbose_name = "Identity"
