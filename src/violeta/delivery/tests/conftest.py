from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English, to assert on them (the pages default to Spanish)."""
    with translation.override("en"):
        yield
