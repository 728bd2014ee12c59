"""Files merged into files that were merged in turn now point at the file in use."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def flatten(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    person = apps.get_model("people", "Person")
    while True:
        rows = list(
            person.objects.filter(merged_into__merged_into__isnull=False).values_list(
                "pk", "merged_into__merged_into"
            )[:5000]
        )
        if not rows:
            return
        for pk, target in rows:
            person.objects.filter(pk=pk).update(merged_into=target if target != pk else None)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_realtime_key_indexes")]
    operations = [migrations.RunPython(flatten, migrations.RunPython.noop)]
