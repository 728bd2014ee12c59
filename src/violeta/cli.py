"""The ``violeta`` console command: Django's management commands under Violeta's settings.

``violeta demo``, ``violeta serve``, ``violeta generate``, ``violeta import``, ``violeta audit
verify``, ``violeta keys rotate``… plus every Django command (``violeta migrate``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "violeta.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["violeta", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
