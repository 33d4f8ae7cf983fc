from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "harbour.insight"
    verbose_name = "Insight: the analytical store"
