from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "harbour.access"
    verbose_name = "Access and audit"

    def ready(self) -> None:
        # Every app's views answer the policy's refusals through the web kit's ``policy_errors``;
        # the kit sits below this app (ADR 0020), so it is told which exceptions they are.
        from harbour.access import policy
        from harbour.web.responses import answer_refusal, forbidden, not_found

        answer_refusal(policy.NotFound, not_found)
        answer_refusal(policy.Forbidden, forbidden)
