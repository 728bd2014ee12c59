"""Key rotation: re-encrypt every encrypted column under the newest key.

Procedure (see ``violeta keys``): generate a key, put it *first* in ``ENCRYPTION_KEYS`` keeping
the old ones after it, restart the application (it now writes under the new key and still
reads the old tokens), run ``violeta keys rotate``, then drop the old keys from the setting.

Encrypted fields are found generically: every concrete :class:`EncryptedTextField` and
:class:`EncryptedDateField` of every installed, managed model. Rows are walked by primary key
in batches, each batch in its own short transaction: the raw tokens are read (bypassing the
fields' decryption), re-encrypted with :func:`violeta.core.crypto.reencrypt` and written back
with ``update()`` by primary key (no ``save()``: no signals, ``auto_now`` untouched). The batch
is read ``FOR UPDATE`` on PostgreSQL (SQLite's write lock does the same), so that a change
made by the running application is never overwritten with an older value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import ExpressionWrapper, F, Value

from violeta.core import crypto
from violeta.core.fields import EncryptedDateField, EncryptedTextField

ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedDateField)
DEFAULT_BATCH_SIZE = 1000

Progress = Callable[[type[models.Model], int, int], None]


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's own encrypted columns (inherited multi-table ones belong to the parent)."""
    return [
        field
        for field in model._meta.local_concrete_fields
        if isinstance(field, ENCRYPTED_FIELD_TYPES)
    ]


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with at least one encrypted column."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and encrypted_fields(model)
    ]


def _raw(field: models.Field[Any, Any]) -> ExpressionWrapper:
    # The column as plain text: a TextField output has no from_db_value, so no decryption.
    return ExpressionWrapper(F(field.attname), output_field=models.TextField())


def reencrypt_model(
    model: type[models.Model],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> int:
    """Re-encrypt every non-empty encrypted value of ``model``; return the rows rewritten.

    ``progress(model, rows_done, rows_total)`` is called after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    fields = encrypted_fields(model)
    if not fields:
        return 0
    manager = model._base_manager.db_manager(using)
    raw = {f"_raw_{field.attname}": _raw(field) for field in fields}
    total = manager.count()
    done = rewritten = 0
    last_pk: Any = None
    while True:
        with transaction.atomic(using=using):
            batch = manager.order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(
                batch.select_for_update().annotate(**raw).values_list("pk", *raw)[:batch_size]
            )
            if not rows:
                break
            for pk, *tokens in rows:
                updates = {
                    field.attname: Value(crypto.reencrypt(token), output_field=models.TextField())
                    for field, token in zip(fields, tokens, strict=True)
                    if token
                }
                if updates:
                    manager.filter(pk=pk).update(**updates)
                    rewritten += 1
            last_pk = rows[-1][0]
        done += len(rows)
        if progress is not None:
            progress(model, done, max(total, done))
    return rewritten


def reencrypt_all(
    *,
    models_: Iterable[type[models.Model]] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Re-encrypt every encrypted model (or ``models_``); rows rewritten per model label."""
    return {
        model._meta.label: reencrypt_model(
            model, batch_size=batch_size, using=using, progress=progress
        )
        for model in (encrypted_models() if models_ is None else models_)
    }
