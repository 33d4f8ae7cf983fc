from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "harbour.notices"
    verbose_name = "Notices: reacting when agencies' events arrive"

    def ready(self) -> None:
        # Identity sits below this app (ADR 0020): it announces arrivals with a signal, and the
        # reaction is enqueued here as one background task (ADR 0028).
        from harbour.identity.signals import events_arrived
        from harbour.notices.tasks import enqueue_reaction

        events_arrived.connect(enqueue_reaction, dispatch_uid="harbour.notices.reaction")
