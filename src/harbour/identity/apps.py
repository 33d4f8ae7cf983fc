from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "harbour.identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        # The children app's chronology shows other agencies' events through this provider: it
        # sits below this app and cannot import it (ADR 0020).
        from harbour.identity import chronology, cohort, happening

        chronology.register()
        # ... and its "what is happening now" shows flags, adults who pose a risk and the latest
        # events through this one.
        happening.register()
        # ... and the serious youth violence cohort counts children known to any agency for
        # serious violence harm through this one (ADR 0036).
        cohort.register()
