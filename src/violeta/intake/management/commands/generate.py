"""``violeta generate OUT_DIR``: synthetic agency files and their ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from violeta.synth import generate


class Command(BaseCommand):
    help = "Write synthetic agency CSV files and a ground-truth file (docs/generator.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path)
        parser.add_argument("--women", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--records-per-woman", type=float, default=5.0)
        parser.add_argument("--corruption", choices=["none", "default", "hard"], default="default")
        parser.add_argument("--escalating-share", type=float, default=0.1)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = generate(
            options["out_dir"],
            women=options["women"],
            seed=options["seed"],
            records_per_woman=options["records_per_woman"],
            corruption=options["corruption"],
            escalating_share=options["escalating_share"],
            progress=True,
        )
        self.stdout.write(str(summary))
