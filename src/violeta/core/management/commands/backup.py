"""``violeta backup --out FILE``: a consistent copy of the database, and its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.core.backup import KEYS_NOTE, BackupError, backup_create, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the configured database while the application runs: pg_dump (custom format) "
        "on PostgreSQL, the online backup API on SQLite. Writes FILE and FILE.manifest.json "
        "(counts, migrations, the audit trail's last entry, SHA-256). " + KEYS_NOTE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the dump")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"].resolve()
        try:
            manifest = backup_create(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{label} {n}" for label, n in manifest["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {out} ({manifest['dump']['bytes']} bytes)")
        )
        self.stdout.write(f"Manifest: {manifest_path(out)}")
        self.stdout.write(f"{manifest['engine']}, {counts}")
        self.stdout.write(f"SHA-256: {manifest['dump']['sha256']}")
        self.stdout.write(self.style.WARNING(KEYS_NOTE))
