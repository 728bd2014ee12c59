"""Model fields that store their value encrypted (see :mod:`violeta.core.crypto`).

Written by hand because the field libraries built on ``cryptography`` for Django
(django-fernet-fields, django-cryptography) are unmaintained and do not support Django 5; the
cryptography itself is the ``cryptography`` package's Fernet, nothing home-made. Encrypted
columns cannot be filtered or ordered: search goes through blind-index columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from violeta.core import crypto


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; the empty string is stored as empty."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedDateField(models.TextField):
    """A date stored as an encrypted ISO string; Python sees a ``datetime.date``."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dt.date | None:
        if not value:
            return None
        return dt.date.fromisoformat(crypto.decrypt(value))

    def to_python(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> Any:
        date_value = self.to_python(value)
        if date_value is None:
            return ""
        return crypto.encrypt(date_value.isoformat())
