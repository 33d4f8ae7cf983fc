"""`make audit`: known vulnerabilities in Harbour's pinned dependencies (ADR 0042).

Runs pip-audit over requirements.lock and npm audit over package-lock.json, and fails on any
advisory that is not an accepted exception in security/audit-exceptions.toml, or on any exception
past its review date. Needs the vulnerability services (PyPI's and npm's advisory databases), so
it is not part of `make test`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / "security" / "audit-exceptions.toml"
REQUIRED = ("id", "ecosystem", "package", "reason", "accepted_by", "review_by")


@dataclass(frozen=True)
class Accepted:
    id: str
    ecosystem: str
    package: str
    review_by: dt.date


def load_exceptions(text: str, today: dt.date) -> tuple[list[Accepted], list[str]]:
    """The accepted advisories, and what is wrong with the file (missing fields, past review)."""
    problems: list[str] = []
    accepted: list[Accepted] = []
    for n, entry in enumerate(tomllib.loads(text).get("accepted", []), start=1):
        missing = [name for name in REQUIRED if not entry.get(name)]
        if missing:
            problems.append(f"exception {n}: missing {', '.join(missing)}")
            continue
        review_by = entry["review_by"]
        if not isinstance(review_by, dt.date):
            problems.append(f"exception {n} ({entry['id']}): review_by is not a date")
            continue
        if entry["ecosystem"] not in ("python", "npm"):
            problems.append(f"exception {n} ({entry['id']}): ecosystem is python or npm")
            continue
        if review_by < today:
            problems.append(
                f"exception {entry['id']} ({entry['package']}) was due for review on "
                f"{review_by}: review it, then renew or remove it"
            )
            continue
        accepted.append(Accepted(entry["id"], entry["ecosystem"], entry["package"], review_by))
    return accepted, problems


def npm_findings(report: dict) -> list[tuple[str, str]]:
    """(package, advisory id) for each advisory in `npm audit --json`'s report."""
    found = set()
    for name, vulnerability in report.get("vulnerabilities", {}).items():
        for via in vulnerability.get("via", []):
            if isinstance(via, dict):
                url = str(via.get("url", ""))
                found.add((name, url.rsplit("/", 1)[-1] or str(via.get("source", ""))))
    return sorted(found)


def main() -> int:
    accepted, problems = load_exceptions(EXCEPTIONS.read_text(), dt.date.today())
    python_ignored = [a.id for a in accepted if a.ecosystem == "python"]
    npm_ignored = {a.id for a in accepted if a.ecosystem == "npm"}

    pip_audit = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(ROOT / "requirements.lock"),
        "--no-deps",
        "--strict",  # a package that could not be checked fails the audit, never passes it
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--desc",
        "off",
    ]
    for vuln in python_ignored:
        pip_audit += ["--ignore-vuln", vuln]
    print("pip-audit over requirements.lock", flush=True)
    python_ok = subprocess.run(pip_audit, cwd=ROOT).returncode == 0  # noqa: S603

    print("npm audit over package-lock.json", flush=True)
    npm = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(npm.stdout or "{}")
    except json.JSONDecodeError:
        problems.append(f"npm audit gave no report: {npm.stderr.strip()[:500]}")
        report = {}
    if "error" in report:
        problems.append(f"npm audit failed: {report['error']}")
    for package, advisory in npm_findings(report):
        if advisory not in npm_ignored:
            problems.append(f"npm: {package}: {advisory}")

    if not python_ok:
        problems.append(
            "pip-audit failed: advisories not accepted, or packages it could not check (above)"
        )
    for problem in problems:
        print(f"AUDIT: {problem}", file=sys.stderr)
    if problems:
        print(
            "Fix them, or accept each in security/audit-exceptions.toml with a reason, who "
            "accepted it and a review date.",
            file=sys.stderr,
        )
        return 1
    print("No known vulnerabilities beyond the accepted exceptions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
