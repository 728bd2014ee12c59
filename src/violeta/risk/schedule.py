"""When a woman's risk must be assessed again, by level."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from violeta.risk.definition import Level


def reassess_hours(level: Level) -> int | None:
    """Hours until re-assessment: the deployment's setting for the level's place on the common
    scale (settings.RISK_REASSESS_HOURS, from VIOLETA_REASSESS_*), else the instrument's own."""
    configured: dict[str, int] = getattr(settings, "RISK_REASSESS_HOURS", {}) or {}
    if level.equivalent in configured:
        return configured[level.equivalent]
    return level.reassess_hours


def due_after(level: Level, start: dt.datetime) -> dt.datetime | None:
    hours = reassess_hours(level)
    return None if hours is None else start + dt.timedelta(hours=hours)
