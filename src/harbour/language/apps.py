from django.apps import AppConfig


class LanguageConfig(AppConfig):
    name = "harbour.language"
    verbose_name = "Child-centred language"

    def ready(self) -> None:
        # The web kit's checked textareas ask this checker: the kit cannot import it (ADR 0020).
        from harbour.language.forms import LanguageChecker
        from harbour.web.wording import use_wording_checker

        use_wording_checker(LanguageChecker())
