"""Reading the review queue (supervisors only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.linkage.models import ReviewPair, ReviewStatus
from violeta.records.models import ReportedIdentity

COMPARED = ("full_name", "birth_date", "curp", "phone", "address", "colonia", "alcaldia")


def _require(user: User) -> None:
    if not user.can(Capability.REVIEW_LINKS):
        raise PermissionDenied


def review_queue(*, user: User) -> QuerySet[ReviewPair]:
    _require(user)
    return (
        ReviewPair.objects.filter(status=ReviewStatus.OPEN)
        .select_related("identity_a__record__agency", "identity_b__record__agency")
        .order_by("-probability", "pk")
    )


@dataclass
class AttributeRow:
    name: str
    left: str
    right: str
    agree: bool | None  # None: one side is empty


@dataclass
class PairView:
    pair: ReviewPair
    rows: list[AttributeRow]


def _value(identity: ReportedIdentity, attribute: str) -> str:
    value = getattr(identity, attribute)
    if attribute == "birth_date":
        return value.strftime("%d/%m/%Y") if value else ""
    return str(value or "")


def review_pair_for(*, user: User, pair_id: int, request: HttpRequest | None) -> PairView:
    """Both identities side by side, attribute by attribute; the reading is audited."""
    _require(user)
    pair = get_object_or_404(
        ReviewPair.objects.select_related(
            "identity_a__record__agency",
            "identity_a__record__kind",
            "identity_a__alcaldia",
            "identity_b__record__agency",
            "identity_b__record__kind",
            "identity_b__alcaldia",
        ),
        pk=pair_id,
    )
    a, b = pair.identity_a, pair.identity_b
    rows = []
    for attribute in COMPARED:
        left, right = _value(a, attribute), _value(b, attribute)
        same = None if not (left and right) else left.casefold() == right.casefold()
        rows.append(AttributeRow(attribute, left, right, same))
    audit_log(
        actor=user,
        action="view",
        subject_type="review",
        subject_id=str(pair.pk),
        request=request,
        details={"identities": [a.pk, b.pk]},
    )
    return PairView(pair, rows)
