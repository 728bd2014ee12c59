"""Ed25519 signatures of certificates (``cryptography``): the key from the settings.

A certificate's content is signed as canonical JSON (sorted keys, no spaces, UTF-8), so anyone
holding the public key can check a certificate's content independently of this database.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@lru_cache(maxsize=2)
def _private_key(encoded: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded))


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.SIGNING_KEY)


def public_key_fingerprint() -> str:
    """SHA-256 of the raw public key, first 16 hex digits in groups: printed on every PDF."""
    raw = private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def sign(content: dict[str, Any]) -> str:
    return base64.b64encode(private_key().sign(canonical(content))).decode("ascii")


def verify(content: dict[str, Any], signature: str) -> bool:
    try:
        private_key().public_key().verify(base64.b64decode(signature), canonical(content))
    except (InvalidSignature, ValueError):
        return False
    return True


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()
