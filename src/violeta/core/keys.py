"""Keys for the demo: generated once into the local data folder, never used in production."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


def new_signing_key() -> str:
    """A fresh Ed25519 private key, base64 of its 32 raw bytes (``VIOLETA_SIGNING_KEY``)."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def load_demo_keys(data_dir: Path) -> dict[str, str]:
    """Read the demo's keys from ``data_dir/keys.json``, creating them on first use."""
    path = data_dir / "keys.json"
    keys: dict[str, str] = dict(json.loads(path.read_text())) if path.exists() else {}
    fresh = {
        "secret_key": lambda: secrets.token_urlsafe(50),
        "encryption_keys": lambda: Fernet.generate_key().decode(),
        "index_key": lambda: secrets.token_urlsafe(32),
        "audit_key": lambda: secrets.token_urlsafe(32),
        "signing_key": new_signing_key,
    }
    missing = {name: make() for name, make in fresh.items() if name not in keys}
    if missing:  # a first run, or a data folder from before a key existed
        keys.update(missing)
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(keys, indent=2))
        path.chmod(0o600)
    return keys
