"""Encryption at rest, blind indexes and key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from violeta.core import crypto


def test_encrypt_roundtrip_and_ciphertext_reveals_nothing() -> None:
    token = crypto.encrypt("Guadalupe Hernández")
    assert "Guadalupe" not in token and "Hern" not in token
    assert crypto.decrypt(token) == "Guadalupe Hernández"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # randomised


def test_old_key_still_reads_after_rotation_and_reencrypt_moves_to_new_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[old]):
        token = crypto.encrypt("5512345678")
    with override_settings(ENCRYPTION_KEYS=[new, old]):
        assert crypto.decrypt(token) == "5512345678"
        rotated = crypto.reencrypt(token)
    with override_settings(ENCRYPTION_KEYS=[new]):
        assert crypto.decrypt(rotated) == "5512345678"
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(token)


def test_blind_index_is_keyed_and_purpose_bound() -> None:
    a = crypto.blind_index("HELG900215MDFRPD07", purpose="curp")
    assert a == crypto.blind_index("HELG900215MDFRPD07", purpose="curp")
    assert a != crypto.blind_index("HELG900215MDFRPD07", purpose="phone")
    with override_settings(INDEX_KEY="another-key"):
        assert a != crypto.blind_index("HELG900215MDFRPD07", purpose="curp")
    assert crypto.blind_index("", purpose="curp") == ""


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("  maría   de la  Peña ", "MARIA DE LA PEÑA"), ("NUÑEZ", "NUÑEZ"), ("José", "JOSE")],
)
def test_normalize_text(raw: str, normal: str) -> None:
    assert crypto.normalize_text(raw) == normal


def test_normalize_phone_keeps_the_national_number() -> None:
    assert crypto.normalize_phone("+52 (55) 1234-5678") == "5512345678"
    assert crypto.normalize_phone("044 55 1234 5678") == "5512345678"
