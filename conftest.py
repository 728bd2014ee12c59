"""Fixtures shared by every test: catalogs, agencies and staff users who passed two-factor."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role

TEST_PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def catalogs(db: None) -> None:
    from violeta.agencies.services import agencies_load
    from violeta.catalogs.services import catalogs_load

    catalogs_load()
    agencies_load()


@pytest.fixture
def make_user(catalogs: None) -> Callable[..., User]:
    from violeta.agencies.services import totp_device_create, user_create

    def make(role: Role | str, agency: str | None = "SEMUJERES", username: str = "") -> User:
        role = Role(role)
        user = user_create(
            username=username or f"{(agency or 'none').lower()}.{role.value}",
            password=TEST_PASSWORD,
            role=role,
            agency=Agency.objects.get(code=agency) if agency else None,
        )
        totp_device_create(user=user)
        return user

    return make


def login_verified(client: Client, user: User) -> Client:
    """Log ``user`` in as if she had passed her password and her TOTP code."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_client(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: Role | str, agency: str | None = "SEMUJERES") -> Client:
        return login_verified(Client(), make_user(role, agency))

    return make


def shared_data() -> Path:
    """The public test data (``../shared/data`` beside the repository, read-only, never copied
    in): ``VIOLETA_SHARED_DATA`` if set, else ``../shared/data`` relative to this checkout, else
    the workplace's fixed ``/work/shared/data`` (a clone made elsewhere, e.g. in /tmp)."""
    if os.environ.get("VIOLETA_SHARED_DATA"):
        return Path(os.environ["VIOLETA_SHARED_DATA"])
    beside = Path(__file__).resolve().parent.parent / "shared" / "data"
    return beside if beside.is_dir() else Path("/work/shared/data")
