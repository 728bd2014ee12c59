"""How often professionals change the computed level, by agency and unit (counts only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.risk.choices import Direction, OverrideState, Status
from violeta.risk.models import RiskAssessment


@dataclass(frozen=True)
class OverrideRow:
    scope: str  # unit / agency / total
    agency: str
    unit: str
    completed: int
    raised: int
    lowered: int  # lowerings in force
    pending: int  # lowerings awaiting a supervisor
    rejected: int

    @staticmethod
    def _rate(n: int, of: int) -> float | None:
        return round(100 * n / of, 1) if of else None

    @property
    def raised_rate(self) -> float | None:
        return self._rate(self.raised, self.completed)

    @property
    def lowered_rate(self) -> float | None:
        return self._rate(self.lowered, self.completed)

    @property
    def kept_rate(self) -> float | None:
        return self._rate(self.completed - self.raised - self.lowered, self.completed)


def override_report(*, user: User, instrument_code: str = "") -> list[OverrideRow]:
    """One row per agency and unit, then one per agency (unit "") and the total (agency "")."""
    if not user.can(Capability.VIEW_STATISTICS):
        raise PermissionDenied
    qs = RiskAssessment.objects.filter(status=Status.COMPLETED)
    if instrument_code:
        qs = qs.filter(instrument__code=instrument_code)
    approved = Q(override_state=OverrideState.APPROVED)
    counts = {
        "completed": Count("pk"),
        "raised": Count("pk", filter=approved & Q(override_direction=Direction.UP)),
        "lowered": Count("pk", filter=approved & Q(override_direction=Direction.DOWN)),
        "pending": Count("pk", filter=Q(override_state=OverrideState.PENDING)),
        "rejected": Count("pk", filter=Q(override_state=OverrideState.REJECTED)),
    }
    rows = []
    for group in (("agency__code", "unit__name"), ("agency__code",), ()):
        values = qs.values(*group) if group else qs
        if group:
            found = list(values.annotate(**counts).order_by(*group))
        else:
            found = [qs.aggregate(**counts)] if qs.exists() else []
        for r in found:
            rows.append(
                OverrideRow(
                    scope=("total", "agency", "unit")[len(group)],
                    agency=r.get("agency__code") or "",
                    unit=r.get("unit__name") or ("" if len(group) < 2 else "—"),
                    completed=r["completed"],
                    raised=r["raised"],
                    lowered=r["lowered"],
                    pending=r["pending"],
                    rejected=r["rejected"],
                )
            )
    return rows
