"""The one door to delivery: write the alert's deliveries in the caller's transaction.

A shim until ``violeta.delivery`` lands: when that app is importable, its
``services.deliveries_enqueue`` writes outbox rows in the same transaction as the alert, so a
rolled-back change sends nothing and a committed one is delivered even if the process dies.
"""

from __future__ import annotations

import importlib
import importlib.util


def notify(*, alert_id: int, level: str, title: str, url: str, user_ids: list[int]) -> None:
    if importlib.util.find_spec("violeta.delivery") is None:
        return
    services = importlib.import_module("violeta.delivery.services")
    services.deliveries_enqueue(
        kind="alert", subject_id=alert_id, level=level, title=title, url=url, user_ids=user_ids
    )
