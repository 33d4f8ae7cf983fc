from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "harbour.identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        # The children app's chronology shows other agencies' events through this provider: it
        # sits below this app and cannot import it (ADR 0020).
        from harbour.identity import chronology, happening

        chronology.register()
        # ... and its "what is happening now" shows flags, adults who pose a risk and the latest
        # events through this one.
        happening.register()
