"""``harbour audit verify``: walk the hash chain and name the first broken or missing event."""

from __future__ import annotations

from django.core.management import CommandError
from django_typer.management import TyperCommand, command

from harbour.access.models import AuditChainHead
from harbour.access.trail import chain_check


class Command(TyperCommand):
    help = "Check and describe the audit log."

    @command()
    def verify(self) -> None:
        """Walk the chain from sequence 1; exit 1 and name the first problem if it is broken.
        The check is itself recorded, so the DPO's audit trail shows when it last ran."""
        report = chain_check(actor=None, system_actor="audit-verify")
        if report.ok:
            self.stdout.write(f"Audit chain intact: {report.events_checked} events verified.")
            return
        raise CommandError(
            f"Audit chain BROKEN at {report.problem} "
            f"({report.events_checked} events verified before it).",
            returncode=1,
        )

    @command()
    def head(self) -> None:
        """Print the last sequence number and hash."""
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None:
            self.stdout.write("No audit events yet.")
        else:
            self.stdout.write(f"sequence {head.last_sequence} hash {head.last_hash}")
