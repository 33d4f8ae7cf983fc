from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "harbour.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door"

    def ready(self) -> None:
        # The children app's chronology shows referrals through this provider: it sits below
        # this app and cannot import it (ADR 0020).
        from harbour.frontdoor import chronology

        chronology.register()
