from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "harbour.partnership"
    verbose_name = "Partnership"
