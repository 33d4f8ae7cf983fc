from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "harbour.demo"
    verbose_name = "Synthetic partnership"
