"""The production path: settings fail fast without secrets; ``check --deploy`` is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

PRODUCTION_ENV = {
    "VIOLETA_MODE": "production",
    "VIOLETA_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-9f8e7d6c5b4a",
    "VIOLETA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "VIOLETA_INDEX_KEY": "index-key-for-the-deploy-check",
    "VIOLETA_AUDIT_KEY": "audit-key-for-the-deploy-check",
    "VIOLETA_SIGNING_KEY": "7S8wYQ5Oz8YQm0qkq2u0B0m8eD2cN1k2m3n4b5v6c7A=",
    "VIOLETA_ALLOWED_HOSTS": "violeta.example.org",
}


def _violeta(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIOLETA_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "violeta.cli", *args],
        env={**clean, **env, "VIOLETA_DATA_DIR": str(cwd)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _violeta(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", ["VIOLETA_ENCRYPTION_KEYS", "VIOLETA_SIGNING_KEY"])
def test_production_refuses_to_start_without_its_keys(tmp_path: Path, key: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != key}
    result = _violeta(["check"], env, tmp_path)
    assert result.returncode != 0
    assert f"{key} must be set in production" in result.stderr
    assert not (tmp_path / "keys.json").exists()


def test_production_has_debug_off_and_https_only_cookies(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIOLETA_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "violeta.settings"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["False", "True", "True", "31536000"], result.stderr


def _keys_in_files(tmp_path: Path, mode: int) -> dict[str, str]:
    """Every secret moved from the environment into a file of its own (``NAME_FILE``)."""
    env = {"VIOLETA_MODE": "production", "VIOLETA_ALLOWED_HOSTS": "violeta.example.org"}
    secrets_dir = tmp_path / "credentials"
    secrets_dir.mkdir()
    for name, value in PRODUCTION_ENV.items():
        if name in env:
            continue
        path = secrets_dir / name.lower()
        path.write_text(value + "\n", encoding="utf-8")
        path.chmod(mode)
        env[f"{name}_FILE"] = str(path)
    return env


def test_production_reads_its_keys_from_files(tmp_path: Path) -> None:
    env = _keys_in_files(tmp_path, 0o600)
    code = (
        "import os, django; django.setup(); from django.conf import settings as s; "
        "from violeta.core import crypto; "
        "key = open(os.environ['VIOLETA_ENCRYPTION_KEYS_FILE']).read().strip(); "
        "print(s.ENCRYPTION_KEYS == [key], crypto.decrypt(crypto.encrypt('ok')))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIOLETA_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "violeta.settings"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "ok"], result.stderr
    assert _violeta(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path).returncode == 0


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    env = _keys_in_files(tmp_path, 0o644)
    result = _violeta(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "is readable by other users (mode 644): chmod 600 it" in result.stderr
    missing = {**env, "VIOLETA_AUDIT_KEY_FILE": str(tmp_path / "absent")}
    for path in (tmp_path / "credentials").iterdir():
        path.chmod(0o600)
    result = _violeta(["check"], missing, tmp_path)
    assert "VIOLETA_AUDIT_KEY_FILE" in result.stderr and "cannot be read" in result.stderr
