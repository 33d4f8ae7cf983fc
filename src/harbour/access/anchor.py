"""Anchors of the audit chain's head outside the database (ADR 0041): one line per anchor,
appended to ``anchors.jsonl`` in ``HARBOUR_AUDIT_ANCHOR_DIR``, each signed with an HMAC under a
key that is not in the database and chained to the line before it. Someone who rewrites the log
in the database (even recomputing every hash with the audit key) cannot make it agree with the
anchors without the anchor key; deleting a line breaks the anchors' own chain, and cutting the
file short leaves its last anchor older than the timer allows.

File handling only: ``harbour.access.audit`` reads the database and compares."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FILE_NAME = "anchors.jsonl"
GENESIS_MAC = "0" * 64
_SIGNED = ("v", "at", "sequence", "hash", "prev_mac")


def anchor_key() -> bytes:
    """``HARBOUR_AUDIT_ANCHOR_KEY``; without one (a demo), a key derived from the audit key."""
    own = settings.HARBOUR_AUDIT_ANCHOR_KEY
    if own:
        return str(own).encode("utf-8")
    audit_key = settings.HARBOUR_AUDIT_KEY.encode("utf-8")
    return hmac.new(audit_key, b"harbour-audit-anchor", hashlib.sha256).digest()


def anchor_path() -> Path:
    return Path(settings.HARBOUR_AUDIT_ANCHOR_DIR) / FILE_NAME


@dataclass(frozen=True)
class Anchor:
    at: dt.datetime
    sequence: int
    hash: str
    mac: str
    line: int = 0


@dataclass(frozen=True)
class AnchorLog:
    anchors: tuple[Anchor, ...]
    problem: str = ""

    @property
    def latest(self) -> Anchor | None:
        return self.anchors[-1] if self.anchors else None


def _mac(fields: dict[str, object]) -> str:
    text = json.dumps({k: fields[k] for k in _SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(anchor_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def read_anchors(path: Path | None = None) -> AnchorLog:
    """Every anchor in the file, each line's signature and link to the line before checked;
    the first bad line is the problem (and the anchors before it are kept)."""
    path = path or anchor_path()
    if not path.exists():
        return AnchorLog(())
    anchors: list[Anchor] = []
    prev_mac = GENESIS_MAC
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            fields = json.loads(text)
            signed = {k: fields[k] for k in _SIGNED}
            at = dt.datetime.fromisoformat(str(fields["at"]))
            sequence = int(fields["sequence"])
            mac = str(fields["mac"])
        except (ValueError, KeyError, TypeError):
            return AnchorLog(tuple(anchors), f"anchor file line {number} cannot be read")
        if not hmac.compare_digest(_mac(signed), mac):
            return AnchorLog(
                tuple(anchors),
                f"anchor file line {number}: its signature does not match "
                "(altered, or written without the anchor key)",
            )
        if fields["prev_mac"] != prev_mac:
            return AnchorLog(
                tuple(anchors),
                f"anchor file line {number} does not follow the line before it "
                "(an anchor has been removed or reordered)",
            )
        if anchors and sequence < anchors[-1].sequence:
            return AnchorLog(
                tuple(anchors), f"anchor file line {number} goes back to sequence {sequence}"
            )
        anchors.append(Anchor(at, sequence, str(fields["hash"]), mac, number))
        prev_mac = mac
    return AnchorLog(tuple(anchors))


def append_anchor(*, sequence: int, last_hash: str, at: dt.datetime) -> Anchor:
    """Append one signed anchor line, flushed to disk before returning."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: the file is only ever added to (the directory may be chattr +a in production);
    # an exclusive lock, so two runs at once cannot both chain to the same line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _append_locked(fd, path, sequence=sequence, last_hash=last_hash, at=at)
    finally:
        os.close(fd)


def _append_locked(
    fd: int, path: Path, *, sequence: int, last_hash: str, at: dt.datetime
) -> Anchor:
    existing = read_anchors(path)
    if existing.problem:
        raise AnchorError(existing.problem)
    prev_mac = existing.latest.mac if existing.latest else GENESIS_MAC
    fields: dict[str, object] = {
        "v": 1,
        "at": at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "sequence": sequence,
        "hash": last_hash,
        "prev_mac": prev_mac,
    }
    fields["mac"] = _mac(fields)
    line = json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n"
    os.write(fd, line.encode("utf-8"))
    os.fsync(fd)
    return Anchor(
        dt.datetime.fromisoformat(str(fields["at"])), sequence, last_hash, str(fields["mac"])
    )


class AnchorError(Exception):
    """The anchors cannot be trusted or written; the message says why."""
