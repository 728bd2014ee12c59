"""Fail if a UI string lacks its Spanish translation or the compiled catalogue is stale.

Runs ``makemessages`` into a scratch copy of the catalogue and compares it with the committed
one: a msgid in the code but not in the catalogue, an empty or fuzzy translation, or a .mo
older than its .po is an error.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "violeta"
PO = PACKAGE / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"


def main() -> int:
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "violeta"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        subprocess.run(
            ["django-admin", "makemessages", "-l", "es_MX", "--no-obsolete", "--no-location"],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        fresh = polib.pofile(str(copy / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"))
    committed = {e.msgid: e for e in polib.pofile(str(PO)) if not e.obsolete}
    for entry in fresh:
        if entry.obsolete:
            continue
        known = committed.get(entry.msgid)
        if known is None:
            errors.append(f"not in the catalogue: {entry.msgid!r}")
        elif "fuzzy" in known.flags or not (known.msgstr or any(known.msgstr_plural.values())):
            errors.append(f"no Spanish translation: {entry.msgid!r}")
    mo = PO.with_suffix(".mo")
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))} if mo.exists() else {}
    for msgid, entry in committed.items():
        if entry.msgstr and compiled.get(msgid) != entry.msgstr:
            errors.append(f"django.mo is stale (run compilemessages): {msgid!r}")
            break
    for error in errors:
        print(error)
    print(f"{len(fresh)} UI strings, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
