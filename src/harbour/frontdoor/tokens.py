"""API tokens for the automated referral feeds (ADR 0011). A token belongs to one agency; only
the SHA-256 of its secret is kept, so the secret is shown once, when it is made.

A token reads ``hbr_<prefix>_<secret>``: the prefix finds the row (and names the token in the
audit trail); the whole token is hashed and compared in constant time."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.frontdoor.models import ApiToken
from harbour.partnership.models import Agency

TOKEN_PREFIX = "hbr"  # noqa: S105  (marks a Harbour token; not a secret)
_PREFIX_BYTES = 6  # 12 hex characters
_SECRET_BYTES = 32
_PREFIX = re.compile(r"^[0-9a-f]{12}$")


def token_hash(token: str) -> str:
    """SHA-256 is enough here: the secret has 256 bits of entropy, so it cannot be guessed, and a
    slow password hash would only slow every request."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole bearer token, shown once


@transaction.atomic
def token_create(*, agency: Agency, name: str, system_actor: str = "cli") -> NewToken:
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name that says which system uses it")
    if not agency.is_active:
        raise ValidationError(f"{agency} is not active")
    prefix = secrets.token_hex(_PREFIX_BYTES)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    token = ApiToken.objects.create(
        agency=agency, name=name, prefix=prefix, token_hash=token_hash(secret)
    )
    audit_record(
        actor=None,
        system_actor=system_actor,
        event="api_token.created",
        subject=token,
        detail={
            "agency": agency.code,
            "name": name,
            "prefix": prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return NewToken(token, secret)


@transaction.atomic
def token_rotate(*, token: ApiToken, system_actor: str = "cli") -> NewToken:
    """A new token for the same agency and system, and the old one set to expire after
    ``HARBOUR_API_TOKEN_OVERLAP_DAYS`` (or when it would have anyway, if sooner), so the system
    can change over without a gap. A revoked or expired token cannot be rotated: make a new one."""
    old = ApiToken.objects.select_for_update().select_related("agency").get(pk=token.pk)
    if not old.is_active:
        raise ValidationError(f"Token {old.prefix} is revoked or expired: make a new one instead")
    if old.replaced_by_id is not None:
        raise ValidationError(f"Token {old.prefix} was rotated already")
    made = token_create(agency=old.agency, name=old.name, system_actor=system_actor)
    overlap_ends = timezone.now() + dt.timedelta(days=settings.HARBOUR_API_TOKEN_OVERLAP_DAYS)
    old.expires_at = min(old.expires_at, overlap_ends)
    old.replaced_by = made.token
    old.save(update_fields=["expires_at", "replaced_by"])
    audit_record(
        actor=None,
        system_actor=system_actor,
        event="api_token.rotated",
        subject=old,
        detail={
            "agency": old.agency.code,
            "prefix": old.prefix,
            "replaced_by": made.token.prefix,
            "expires_at": old.expires_at.isoformat(),
        },
    )
    return made


@transaction.atomic
def token_revoke(*, token: ApiToken, system_actor: str = "cli") -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=None,
            system_actor=system_actor,
            event="api_token.revoked",
            subject=token,
            detail={"agency": token.agency.code, "prefix": token.prefix},
        )
    return token


def feeds_for(agency: Agency) -> list[str]:
    return [feed for feed in policy.FEED_AGENCY_TYPES if policy.may_send_feed(agency, feed)]


#: How stale a token's ``last_used_at`` may be.
USED_EVERY = dt.timedelta(minutes=1)


class TokenExpired(Exception):
    """A real token, past its ``expires_at``: answered 401 saying so (ADR 0042)."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        super().__init__(f"Token {token.prefix} expired at {token.expires_at:%Y-%m-%d %H:%M} UTC")


def find(raw: str) -> ApiToken | None:
    """The token this bearer value is, whatever its state, or None: the secret must match."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not _PREFIX.match(parts[1]):
        return None
    token = ApiToken.objects.select_related("agency").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(raw)):
        return None
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The active token this bearer value is, in an active agency, or None; ``TokenExpired``
    for a token past its expiry. Marks it used."""
    token = find(raw)
    if token is None or token.revoked_at is not None or not token.agency.is_active:
        return None
    if token.expires_at <= timezone.now():
        raise TokenExpired(token)
    now = timezone.now()
    # Shown to the minute: written at most once a minute, not a write every request (ADR 0038).
    if token.last_used_at is None or now - token.last_used_at >= USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
