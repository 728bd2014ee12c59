"""Settings for the test suite: test mode, fixed throw-away keys, fast password hashing."""

import os

os.environ["VIOLETA_MODE"] = "test"

from violeta.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Tests never write into the working directory's data folder.
DATA_DIR = Path(tempfile.mkdtemp(prefix="violeta-test-"))
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()
