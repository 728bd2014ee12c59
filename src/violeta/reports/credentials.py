"""Folios and secrets: what a reporter keeps to follow her report from any channel.

The secret is shown once and stored only as a password hash. A wrong secret and an unknown
folio give the same answer and cost the same time (a dummy hash is checked), so the follow-up
page tells nobody which folios exist.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from violeta.reports.models import PublicReport

# No 0/O, 1/I/L: read aloud or copied by hand without mistakes. 16 characters ≈ 79 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_GROUPS, GROUP_LENGTH = 4, 4
FOLIO_RE = re.compile(r"^VIO-\d{4}-\d{6,}$")
_DUMMY_HASH: str | None = None


def new_secret() -> str:
    groups = (
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(SECRET_GROUPS)
    )
    return "-".join(groups)


def normalize_secret(value: str) -> str:
    """Upper case, spaces and dashes dropped, then grouped again: typed forms all match."""
    raw = re.sub(r"[\s\-]", "", value.upper())
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def normalize_folio(value: str) -> str:
    return value.strip().upper()


def hash_secret(secret: str) -> str:
    return make_password(normalize_secret(secret))


def folio_for(pk: int) -> str:
    return f"VIO-{timezone.localdate().year}-{pk:06d}"


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password(new_secret())
    return _DUMMY_HASH


def report_by_credentials(*, folio: str, secret: str) -> PublicReport | None:
    """The report with this folio if the secret is right; ``None`` otherwise (same cost)."""
    folio = normalize_folio(folio)
    report = PublicReport.objects.filter(folio=folio).first() if FOLIO_RE.match(folio) else None
    encoded = report.secret_hash if report is not None else _dummy_hash()
    ok = check_password(normalize_secret(secret), encoded)
    return report if ok and report is not None else None
