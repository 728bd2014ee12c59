"""Agencies and staff accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role
from violeta.catalogs.models import RecordKind

DATA = Path(__file__).resolve().parent / "data" / "agencies.json"


@transaction.atomic
def agencies_load(*, path: Path = DATA) -> int:
    """Create or update the shipped agencies (idempotent)."""
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    for entry in entries:
        agency, _ = Agency.objects.update_or_create(
            code=entry["code"],
            defaults={"name": entry["name"], "description": entry["description"]},
        )
        agency.record_kinds.set(RecordKind.objects.filter(code__in=entry["record_kinds"]))
    return len(entries)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    agency: Agency | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff account; the role decides access (administrators also get the admin)."""
    user = User(
        username=username,
        role=role,
        agency=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def totp_device_create(
    *, user: User, key_hex: str | None = None, confirmed: bool = True
) -> TOTPDevice:
    """Give ``user`` a TOTP device (a random key unless ``key_hex`` is given)."""
    kwargs: dict[str, Any] = {"user": user, "name": "default", "confirmed": confirmed}
    if key_hex:
        kwargs["key"] = key_hex
    return TOTPDevice.objects.create(**kwargs)
