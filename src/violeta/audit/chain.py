"""The audit trail's hash chain: pure functions, no database.

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical JSON of the entry)``, where the
canonical JSON holds every stored field (``seq`` and ``at`` included) with sorted keys and no
spaces; the first entry's ``prev_hash`` is :data:`GENESIS`. Because the MAC is keyed
(``settings.AUDIT_KEY``), someone with write access to the database but without the key cannot
recompute a chain after editing, inserting or deleting an entry.

:func:`verify` walks the entries in ``seq`` order and reports the first one that does not fit:
a gap in ``seq`` (a deleted entry), a ``prev_hash`` that does not link to the entry before, or a
``hash`` that does not match the entry's content (an edited entry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The stored fields covered by the hash (``actor_id`` is the user's primary key or None).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "agency_code",
    "action",
    "subject_type",
    "subject_id",
    "ip",
    "reason",
    "details",
)


def normalize_at(value: dt.datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with microseconds (what both databases keep)."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def normalize_ip(value: str | None) -> str | None:
    """One spelling per address, whatever text form the database returns."""
    if not value:
        return None
    return str(ipaddress.ip_address(value))


def normalize_details(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """``details`` as it will read back from a JSON column (tuples become lists, and so on)."""
    return dict(json.loads(json.dumps(dict(value or {}), sort_keys=True)))


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON of an entry's hashed fields."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = normalize_at(fields["at"])
    payload["ip"] = normalize_ip(fields["ip"])
    payload["details"] = fields["details"] or {}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def entry_hash(key: str | bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """``HMAC-SHA256(key, prev_hash + canonical(fields))`` as 64 hexadecimal digits."""
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    message = prev_hash.encode("ascii") + canonical(fields)
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`: ``count`` entries checked, or the first broken one."""

    ok: bool
    count: int
    bad_seq: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.count} audit entries verified"
        return f"BROKEN at entry {self.bad_seq}: {self.problem}"


def verify(rows: Iterable[Mapping[str, Any]], key: str | bytes) -> Verification:
    """Check a chain given its rows in ``seq`` order (each with the hashed fields + hashes).

    ``rows`` may be a lazy iterator: only one row is held at a time.
    """
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            if seq == expected_seq + 1:
                problem = f"entry {expected_seq} is missing"
            elif seq > expected_seq:
                problem = f"entries {expected_seq} to {seq - 1} are missing"
            else:
                problem = f"sequence goes back from {expected_seq - 1} to {seq}"
            return Verification(False, count, expected_seq, problem)
        if row["prev_hash"] != prev_hash:
            return Verification(False, count, seq, "prev_hash does not link to the entry before")
        if not hmac.compare_digest(row["hash"], entry_hash(key, prev_hash, row)):
            return Verification(False, count, seq, "hash does not match the entry's content")
        prev_hash = row["hash"]
        expected_seq += 1
        count += 1
    return Verification(True, count)
