"""Settings for the test suite: test mode, fixed throw-away keys, fast password hashing."""

import os

os.environ["VIOLETA_MODE"] = "test"

from violeta.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
