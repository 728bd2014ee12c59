"""Loading the shipped catalogs (idempotent: running it again changes nothing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType

DATA = Path(__file__).resolve().parent / "data" / "catalogs.json"


@transaction.atomic
def catalogs_load(*, path: Path = DATA) -> dict[str, int]:
    """Create or update every shipped entry; entries an administrator added are kept."""
    data: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for key, model in (
        ("violence_types", ViolenceType),
        ("modalities", Modality),
        ("record_kinds", RecordKind),
    ):
        for order, entry in enumerate(data[key]):
            values = {k: v for k, v in entry.items() if k != "code"}
            model.objects.update_or_create(code=entry["code"], defaults={**values, "order": order})
        counts[key] = len(data[key])
    for entry in data["alcaldias"]:
        Alcaldia.objects.update_or_create(
            inegi_code=entry["inegi_code"], defaults={"name": entry["name"]}
        )
    counts["alcaldias"] = len(data["alcaldias"])
    return counts
