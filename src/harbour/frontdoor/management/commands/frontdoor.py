"""``harbour frontdoor token create|list|rotate|revoke``: the bearer tokens other agencies'
systems use to send referrals to the automated referrals API (ADR 0011, ADR 0042). ``harbour
frontdoor clocks``: tell front-door managers of immediate referrals not rated within their clock
(ADR 0019)."""

from __future__ import annotations

from typing import Annotated

import typer
from django.core.exceptions import ValidationError
from django_typer.management import TyperCommand, command, group

from harbour.frontdoor import services, tokens
from harbour.frontdoor.models import ApiToken
from harbour.partnership.models import Agency


def _state(token: ApiToken) -> str:
    if token.revoked_at:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if not token.is_active:
        return "expired"
    return f"active, replaced by {token.replaced_by.prefix}" if token.replaced_by else "active"


class Command(TyperCommand):
    help = "The front door's automated referral feeds, and its clocks."

    @command()
    def clocks(self) -> None:
        """Send each front-door manager a notification, once, for every immediate referral at
        their front door not rated within its clock. Safe to run as often as you like (every few
        minutes from cron): a referral the managers were told about is not told again. The
        banner on their pages needs nothing running: it is worked out as each page is drawn."""
        told = services.clock_alerts_notify()
        if told:
            self.stdout.write(
                f"Told the front-door managers about {told} immediate "
                f"referral{'' if told == 1 else 's'} not rated in time."
            )
        else:
            self.stdout.write("No immediate referral newly past its clock.")

    @group()
    def token(self) -> None:
        """API tokens: one per sending system, each belonging to one agency."""

    @token.command()
    def create(
        self,
        agency: Annotated[str, typer.Option(help="The agency's code, e.g. riverside-police")],
        name: Annotated[str, typer.Option(help="Which system will use it, e.g. 'Niche custody'")],
    ) -> None:
        """Make a token and print it once: only its hash is kept, so it cannot be shown again."""
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            self.stderr.write(f"No agency has the code {agency!r}.")
            raise typer.Exit(code=1)
        try:
            made = tokens.token_create(agency=found, name=name)
        except ValidationError as exc:
            self.stderr.write("; ".join(exc.messages))
            raise typer.Exit(code=1) from exc
        feeds = tokens.feeds_for(found)
        self.stdout.write(f"Token {made.token.prefix} for {found.name} ({name}):")
        self.stdout.write("")
        self.stdout.write(f"    {made.secret}")
        self.stdout.write("")
        self.stdout.write("Give it to the system's administrator now: it will not be shown again.")
        self.stdout.write("The system sends it as: Authorization: Bearer <token>")
        if feeds:
            self.stdout.write(f"It may send these feeds: {', '.join(feeds)}.")
        else:
            self.stderr.write(
                f"Warning: {found.name} is a {found.get_agency_type_display().lower()} agency, "
                "which may send no feed yet; the token can only read its own referrals."
            )

    @token.command(name="list")
    def list_tokens(
        self,
        agency: Annotated[str, typer.Option(help="Only this agency's tokens")] = "",
    ) -> None:
        """List tokens (never their secrets): prefix, agency, name, created, last used, expiry,
        state."""
        found = ApiToken.objects.select_related("agency", "replaced_by").order_by(
            "agency__code", "created_at"
        )
        if agency:
            found = found.filter(agency__code=agency)
        rows = [
            (
                t.prefix,
                t.agency.code,
                t.name,
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                f"{t.expires_at:%Y-%m-%d %H:%M}",
                _state(t),
            )
            for t in found
        ]
        if not rows:
            self.stdout.write("No API tokens.")
            return
        header = ("Prefix", "Agency", "Name", "Created", "Last used", "Expires", "State")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True))
            )

    @token.command()
    def rotate(
        self,
        prefix: Annotated[str, typer.Argument(help="The token's prefix, from `token list`")],
    ) -> None:
        """Make a new token for the same system and print it once; the old one keeps working for
        HARBOUR_API_TOKEN_OVERLAP_DAYS (7 unless changed), so the system can change over."""
        found = ApiToken.objects.select_related("agency").filter(prefix=prefix).first()
        if found is None:
            self.stderr.write(f"No token has the prefix {prefix!r}.")
            raise typer.Exit(code=1)
        try:
            made = tokens.token_rotate(token=found)
        except ValidationError as exc:
            self.stderr.write("; ".join(exc.messages))
            raise typer.Exit(code=1) from exc
        found.refresh_from_db()
        self.stdout.write(f"Token {made.token.prefix} replaces {found.prefix} ({found.name}):")
        self.stdout.write("")
        self.stdout.write(f"    {made.secret}")
        self.stdout.write("")
        self.stdout.write("Give it to the system's administrator now: it will not be shown again.")
        self.stdout.write(
            f"It works until {made.token.expires_at:%Y-%m-%d %H:%M} UTC; {found.prefix} stops "
            f"working at {found.expires_at:%Y-%m-%d %H:%M} UTC."
        )

    @token.command()
    def revoke(
        self,
        prefix: Annotated[str, typer.Argument(help="The token's prefix, from `token list`")],
    ) -> None:
        """Revoke a token: the system using it is refused from the next request on."""
        found = ApiToken.objects.select_related("agency").filter(prefix=prefix).first()
        if found is None:
            self.stderr.write(f"No token has the prefix {prefix!r}.")
            raise typer.Exit(code=1)
        tokens.token_revoke(token=found)
        self.stdout.write(f"Token {found.prefix} ({found.name}, {found.agency.name}) is revoked.")
