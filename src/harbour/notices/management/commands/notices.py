"""``harbour notices digest``: the daily digest of notices (from cron once a day, at, say, 07:00).
``harbour notices send``: any at-once email left waiting (from cron every few minutes). Running
either again sends nothing twice (ADR 0028)."""

from __future__ import annotations

import datetime as dt

from django_typer.management import TyperCommand, command

from harbour.notices import services

#: An at-once notice still not emailed this long after it was made: its task's worker died
#: between the two steps, so the digest run sends it.
CATCH_UP = dt.timedelta(minutes=5)


class Command(TyperCommand):
    help = "Notices to the team around the child: the daily digest."

    @command()
    def digest(self) -> None:
        """Email each person who chose the daily digest one message listing their notices not
        yet emailed."""
        digests = services.send_digests()
        self.stdout.write(f"Sent {digests} digest{'' if digests == 1 else 's'}.")

    @command()
    def send(self) -> None:
        """Email any at-once notice left waiting more than five minutes (its task's worker died
        between making the notice and emailing it)."""
        late = services.email_waiting(older_than=CATCH_UP)
        self.stdout.write(f"Sent {late} waiting notice{'' if late == 1 else 's'}.")
