"""``violeta keys generate`` and ``violeta keys rotate``: encryption keys at rest."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from violeta.core import rotation
from violeta.core.keys import new_signing_key


class Command(BaseCommand):
    help = (
        "Encryption keys. 'generate' prints a new key; 'rotate' re-encrypts every encrypted "
        "value under the first key of ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser("generate", help="print a new Fernet key")
        subcommands.add_parser(
            "signing", help="print a new Ed25519 key for certificates (VIOLETA_SIGNING_KEY)"
        )
        rotate = subcommands.add_parser(
            "rotate", help="re-encrypt every encrypted column under the first key"
        )
        rotate.add_argument(
            "--batch-size",
            type=int,
            default=rotation.DEFAULT_BATCH_SIZE,
            help=f"rows per transaction (default {rotation.DEFAULT_BATCH_SIZE})",
        )
        rotate.add_argument(
            "--model",
            action="append",
            dest="models",
            metavar="APP_LABEL.MODEL",
            help="only this model (repeatable); default: every model with encrypted fields",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "generate":
            self.stdout.write(Fernet.generate_key().decode("ascii"))
        elif options["subcommand"] == "signing":
            self.stdout.write(new_signing_key())
        elif options["subcommand"] == "rotate":
            self._rotate(options["batch_size"], options["models"])

    def _selected(self, labels: list[str] | None) -> list[type[models.Model]]:
        if not labels:
            return rotation.encrypted_models()
        selected = []
        for label in labels:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError) as exc:
                raise CommandError(f"Unknown model {label!r}") from exc
            if not rotation.encrypted_fields(model):
                raise CommandError(f"{label} has no encrypted fields")
            selected.append(model)
        return selected

    def _progress(self, model: type[models.Model], done: int, total: int) -> None:
        self.stdout.write(f"  {model._meta.label}: {done}/{total} rows")

    def _rotate(self, batch_size: int, labels: list[str] | None) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        keys = settings.ENCRYPTION_KEYS
        self.stdout.write(
            f"Re-encrypting under the first of {len(keys)} configured key(s), "
            f"{batch_size} rows per transaction."
        )
        counts = rotation.reencrypt_all(
            models_=self._selected(labels), batch_size=batch_size, progress=self._progress
        )
        for label, rewritten in counts.items():
            self.stdout.write(f"{label}: {rewritten} rows re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                "Done. Once every running instance uses the new key list, the old keys can be "
                "removed from VIOLETA_ENCRYPTION_KEYS."
            )
        )
