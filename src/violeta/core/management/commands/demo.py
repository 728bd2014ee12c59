"""``violeta demo``: a working Violeta on this machine, with synthetic data, in one command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.agencies.services import agencies_load
from violeta.cases.services import cases_sweep
from violeta.catalogs.services import catalogs_load
from violeta.core.demo import DEMO_PASSWORD, demo_data_mark, demo_data_matches, demo_users
from violeta.core.demo_risk import demo_assessments
from violeta.intake.loader import import_file
from violeta.reports.demo import demo_public_reports
from violeta.risk.versions import instruments_load_shipped
from violeta.synth import generate
from violeta.synth.model import END as SYNTH_END


class Command(BaseCommand):
    help = "Create the demo database, load synthetic data and demo users, and serve the app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--women", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("violeta demo runs only in demo mode (VIOLETA_MODE=demo).")
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        catalogs_load()
        agencies_load()
        instruments_load_shipped()  # risk instruments (unchanged files are left as they are)
        out_dir = Path(settings.DATA_DIR) / "synthetic"
        # 3 records per non-escalating woman (escalating ones have ~24): ~10,000 records
        # for the default 2,000 women.
        params = {"women": options["women"], "seed": options["seed"], "records_per_woman": 3.0}
        if not demo_data_matches(out_dir, params):
            self.stdout.write(f"Generating {options['women']} synthetic women into {out_dir} …")
            summary = generate(
                out_dir, women=options["women"], seed=options["seed"], records_per_woman=3.0
            )
            demo_data_mark(out_dir, params)
            self.stdout.write(f"  {summary}")
        logins = demo_users()  # before the import, so that its alerts reach their inboxes
        imported = out_dir / "imported.json"
        if demo_data_matches(out_dir, params) and imported.exists():
            self.stdout.write("Synthetic data already imported (delete the data folder to redo).")
        else:
            # The synthetic data ends on a fixed day (synth.model.END): its last 60 days raise
            # alerts as if recent, so the demo's inboxes and supervision pages have content.
            window = (timezone.now().replace(tzinfo=None) - SYNTH_END).days + 60
            with override_settings(VIOLETA_ALERTS_RECORD_WINDOW_DAYS=max(window, 60)):
                for agency in Agency.objects.order_by("code"):
                    path = out_dir / f"{agency.code}.csv"
                    if path.exists():
                        report = import_file(agency=agency, path=path, progress=True)
                        self.stdout.write(f"  {report.summary()}")
            imported.write_text("{}")
        swept = cases_sweep()  # follow-ups for imported records; idempotent
        self.stdout.write(f"  follow-ups opened {swept.opened}, supervised {swept.supervised}")
        assessed = demo_assessments()  # once: a sample of women assessed, some due again
        if assessed:
            self.stdout.write(f"  risk assessments made for the demo: {assessed}")
        for folio, secret in demo_public_reports():  # once; the secrets are shown only now
            self.stdout.write(f"  public report {folio}, secret {secret} (/denuncia/seguimiento/)")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(
            "Two-factor: add the TOTP key to an authenticator app, or print the current code with"
        )
        self.stdout.write("  uv run violeta demo_code USERNAME")
        self.stdout.write(f"  {'user':28} {'agency':10} {'role':14} TOTP key")
        for login in logins:
            self.stdout.write(
                f"  {login.username:28} {login.agency:10} {login.role:14} {login.totp_key}"
            )
        if not options["no_serve"]:
            # The alerts' worker beside the server, so the demo's inboxes fill as in production.
            worker = subprocess.Popen(
                [sys.executable, "-m", "violeta.cli", "worker", "--sleep", "2"]
            )
            try:
                call_command("serve", bind=options["bind"], workers=2)
            finally:
                worker.terminate()
