"""Setting up the demo: catalogs, synthetic data through the one import path, demo users."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role
from violeta.agencies.services import totp_device_create, user_create

DEMO_PASSWORD = "violeta-demo-2026"  # noqa: S105 - printed to the demo's user on purpose


@dataclass
class DemoLogin:
    username: str
    agency: str
    role: str
    totp_key: str


def totp_key_b32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


def demo_users() -> list[DemoLogin]:
    """One user per agency and role; existing ones are kept (running twice adds nothing)."""
    if not settings.DEMO:
        raise RuntimeError("demo users exist only in demo mode")
    logins = []
    for agency in Agency.objects.order_by("code"):
        for role in Role:
            username = f"{agency.code.lower()}.{role.value}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username, password=DEMO_PASSWORD, role=role, agency=agency
                )
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = totp_device_create(user=user)
            logins.append(DemoLogin(username, agency.code, role.value, totp_key_b32(device)))
    return logins


def demo_data_matches(out_dir: Path, params: dict[str, object]) -> bool:
    marker = out_dir / "params.json"
    return marker.exists() and json.loads(marker.read_text()) == params


def demo_data_mark(out_dir: Path, params: dict[str, object]) -> None:
    (out_dir / "params.json").write_text(json.dumps(params))
