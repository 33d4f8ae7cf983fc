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

        # Signing in and out is recorded in the audit log (ADR 0018); the kit's sign-in pages
        # are told how.
        from harbour.access import services
        from harbour.access.audit import AuditWriteError
        from harbour.web.views import SignInAudit, use_sign_in_audit

        use_sign_in_audit(
            SignInAudit(
                signed_in=lambda staff: services.sign_in_record(actor=staff),
                failed=lambda username: services.sign_in_failed_record(username=username),
                signed_out=lambda staff: services.sign_out_record(actor=staff),
                password_reset=lambda staff: services.password_reset_record(staff=staff),
                unrecorded=(AuditWriteError,),
            )
        )
