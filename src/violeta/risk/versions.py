"""Loading instrument versions from their JSON files, and retiring them; audited."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.risk.definition import InstrumentError, parse_text
from violeta.risk.models import InstrumentVersion

SHIPPED = Path(__file__).resolve().parent / "instruments"


def _digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class LoadOutcome:
    instrument: InstrumentVersion
    status: str  # created / unchanged / replaced


@transaction.atomic
def instrument_load(*, text: str, actor: User | None) -> LoadOutcome:
    """Load one instrument version from its JSON text.

    Raises :class:`InstrumentError` naming every field or item that is wrong, or if the same
    code and version already exist with another content and an assessment uses them.
    """
    parsed = parse_text(text)
    digest = _digest(parsed.raw)
    existing = (
        InstrumentVersion.objects.select_for_update()
        .filter(code=parsed.code, version=parsed.version)
        .first()
    )
    if existing is not None and existing.digest == digest:
        return LoadOutcome(existing, "unchanged")
    if existing is not None and existing.assessments.exists():
        raise InstrumentError(
            [
                _(
                    '"version": %(code)s version %(version)s is in use by assessments and cannot '
                    "change; give the changed file a new version"
                )
                % {"code": parsed.code, "version": parsed.version}
            ]
        )
    fields = {
        "name": parsed.name if isinstance(parsed.name, str) else parsed.name["es"],
        "definition": parsed.raw,
        "digest": digest,
        "loaded_at": timezone.now(),
        "loaded_by": actor,
    }
    if existing is None:
        instrument = InstrumentVersion.objects.create(
            code=parsed.code, version=parsed.version, **fields
        )
        status = "created"
    else:
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.save(update_fields=list(fields))
        instrument, status = existing, "replaced"
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:risk_instrument_load",
        action="import" if status == "created" else "update",
        subject_type="risk_instrument",
        subject_id=instrument.pk,
        details={"code": parsed.code, "version": parsed.version, "digest": digest[:16]},
    )
    return LoadOutcome(instrument, status)


def instruments_load_shipped(*, actor: User | None = None) -> list[LoadOutcome]:
    return [
        instrument_load(text=path.read_text(encoding="utf-8"), actor=actor)
        for path in sorted(SHIPPED.glob("*.json"))
    ]


@transaction.atomic
def instrument_retire(*, instrument: InstrumentVersion, actor: User | None) -> None:
    """A retired version is kept (assessments refer to it) but can't start new assessments."""
    if instrument.retired_at is not None:
        return
    instrument.retired_at = timezone.now()
    instrument.save(update_fields=["retired_at"])
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:risk_instrument_load",
        action="update",
        subject_type="risk_instrument",
        subject_id=instrument.pk,
        details={"operation": "retire", "code": instrument.code, "version": instrument.version},
    )
