from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "harbour.pages"
    verbose_name = "Pages across apps"

    def ready(self) -> None:
        # The web kit draws the service navigation; which items there are and who may use each
        # is the service's, composed here at the top of the layers (ADR 0020).
        from harbour.pages.navigation import SERVICE_NAVIGATION
        from harbour.web.navigation import use_navigation

        use_navigation(SERVICE_NAVIGATION)
