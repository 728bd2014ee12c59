"""The shipped retention rules (data/retention.json): starting values for the records officer."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "retention.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule = apps.get_model("lifecycle", "RetentionRule")
    for entry in json.loads(SHIPPED.read_text(encoding="utf-8"))["rules"]:
        rule.objects.get_or_create(
            kind=entry["kind"], defaults={"years": entry["years"], "basis": entry["basis"]}
        )


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
