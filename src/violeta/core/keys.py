"""Keys for the demo: generated once into the local data folder, never used in production."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def load_demo_keys(data_dir: Path) -> dict[str, str]:
    """Read the demo's keys from ``data_dir/keys.json``, creating them on first use."""
    path = data_dir / "keys.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "encryption_keys": Fernet.generate_key().decode(),
        "index_key": secrets.token_urlsafe(32),
        "audit_key": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
    return keys
