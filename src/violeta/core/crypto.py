"""Encryption at rest and blind indexes.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography``
package). ``settings.ENCRYPTION_KEYS`` is a list: the first key encrypts, every key decrypts
(``MultiFernet``), so data written under an old key still reads after a new one is put first,
and :func:`reencrypt` moves a token to the newest key.

Exact search on encrypted values goes through *blind indexes*: an HMAC-SHA256 of the normalised
value under ``settings.INDEX_KEY``, with a purpose prefix so equal strings in different fields do
not produce equal indexes. The index key is separate from the encryption keys and is not
rotated by ``keys rotate`` (rotating it means recomputing every index).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import multiprocessing
import os
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "decrypt_many",
    "encrypt",
    "normalize_text",
    "reencrypt",
]


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def keyring() -> MultiFernet:
    return _keyring(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return keyring().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return keyring().decrypt(token.encode("ascii")).decode("utf-8")


def _decrypt_chunk(tokens: list[str]) -> list[str]:
    return [decrypt(t) if t else "" for t in tokens]


def decrypt_many(tokens: list[str], *, chunk: int = 20_000) -> list[str]:
    """Decrypt many tokens (an empty token stays empty), on every core for a large batch.

    Forked workers inherit the settings (the keys) and touch nothing but the tokens they are
    handed; they never use the parent's database connection. Below a few chunks, or where the
    machine has one core, it decrypts in this process."""
    workers = min(os.cpu_count() or 1, math.ceil(len(tokens) / chunk))
    if workers < 2:
        return _decrypt_chunk(tokens)
    parts = [tokens[i : i + chunk] for i in range(0, len(tokens), chunk)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [plain for part in pool.map(_decrypt_chunk, parts) for plain in part]


def reencrypt(token: str) -> str:
    """Return ``token`` encrypted under the newest key (unchanged plaintext)."""
    return keyring().rotate(token.encode("ascii")).decode("ascii")


def normalize_text(value: str) -> str:
    """Upper case, accents dropped (Ñ kept), inner whitespace collapsed."""
    value = value.strip().upper().replace("Ñ", "\0")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("\0", "Ñ").split())


def normalize_phone(value: str) -> str:
    """Digits only, the last ten (Mexican national number without +52 / 044 prefixes)."""
    digits = "".join(c for c in value if c.isdigit())
    return digits[-10:]


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of ``value`` for exact look-ups; empty input gives an empty index."""
    if not value:
        return ""
    message = f"{purpose}\x00{value}".encode()
    digest = hmac.new(settings.INDEX_KEY.encode("utf-8"), message, hashlib.sha256)
    return digest.hexdigest()[:32]
