from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "harbour.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door"
