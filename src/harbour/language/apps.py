from django.apps import AppConfig


class LanguageConfig(AppConfig):
    name = "harbour.language"
    verbose_name = "Child-centred language"
