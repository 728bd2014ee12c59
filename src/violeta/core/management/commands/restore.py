"""``violeta restore FILE [--force]``: restore a backup and verify it against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.core.backup import KEYS_NOTE, BackupError, backup_restore, engine


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'violeta backup' into the configured database. Checks the "
        "dump's SHA-256 first, then the migrations, the row counts, the audit chain and that the "
        "configured keys decrypt the data. Refuses a database that has tables unless --force "
        "(which replaces them). Stop the server and the workers first. " + KEYS_NOTE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="a dump from violeta backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that is not empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = backup_restore(dump=options["file"].resolve(), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if restored.problems:
            where = (
                "The database now holds it"
                if engine() == "postgresql"
                else "The configured database was left as it was"
            )
            raise CommandError(
                "The backup does not verify:\n  - "
                + "\n  - ".join(restored.problems)
                + f"\n{where}."
            )
        manifest = restored.manifest
        counts = ", ".join(f"{label} {n}" for label, n in manifest["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: checksum, migrations, "
                f"counts ({counts}) and audit chain ({restored.audit_entries} entries) verified."
            )
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"{restored.pending_migrations} migrations of this version are not applied yet: "
                "run 'violeta migrate'."
            )
        self.stdout.write(self.style.WARNING(KEYS_NOTE))
