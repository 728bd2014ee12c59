from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file
from violeta.synth.generate import generate


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def synthetic(catalogs: None, tmp_path: Path) -> Path:
    """A small synthetic city (many cells under k), imported through the agencies' files."""
    out = tmp_path / "synthetic"
    generate(out, women=120, seed=7)
    for path in sorted(out.glob("*.csv")):
        if path.stem not in {"truth", "truth_people"}:
            import_file(agency=Agency.objects.get(code=path.stem), path=path)
    return out
