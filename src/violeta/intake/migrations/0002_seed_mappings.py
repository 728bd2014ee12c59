"""Version 1 of each agency's mapping: the file shipped in intake/mappings/."""

import json
from pathlib import Path

from django.db import migrations

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    AgencyMapping = apps.get_model("intake", "AgencyMapping")
    for path in sorted(MAPPINGS_DIR.glob("*.json")):
        code = path.stem.upper()
        if AgencyMapping.objects.filter(agency_code=code).exists():
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        AgencyMapping.objects.create(
            agency_code=code, version=1, body=body, active=True, note="shipped with Violeta"
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("intake", "AgencyMapping").objects.filter(version=1, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
