"""Reading referrals: who may see which, and what each side sees. Every reading is audited.

The referring agency sees the referral as it wrote it. The receiving agency sees its
metadata and ``shared`` (what the consent covers), nothing else about her.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.people.models import Person
from violeta.referrals.choices import OPEN, ReferralStatus, Share
from violeta.referrals.models import Referral, overdue_q

RECENT_CLOSED = 50  # answered referrals shown under the open ones


@dataclass
class ReferralView:
    referral: Referral
    side: str  # "sent": the referring agency; "received": the receiving agency
    shared: dict[str, Any]
    overdue: bool

    @property
    def name(self) -> str:
        """Her name if the referring side, or her consent to share her identity, allows it."""
        if self.side == "sent":
            return self.referral.person.full_name
        identity: dict[str, str] = self.shared.get("identity", {})
        return identity.get("full_name", "")


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "from_agency", "from_unit", "to_agency", "to_unit", "person"
    )


def _view(referral: Referral, user: User, now: dt.datetime) -> ReferralView:
    side = "sent" if referral.from_agency_id == user.agency_id else "received"
    return ReferralView(referral, side, referral.shared_content, referral.is_overdue(now))


def _audit_list(user: User, which: str, views: Sequence[ReferralView], request: Any) -> None:
    audit_log(
        actor=user,
        action="view",
        subject_type="referral",
        subject_id="",
        request=request,
        details={"list": which, "referrals": [v.referral.pk for v in views]},
    )


def _require_refer(user: User) -> None:
    if not user.can(Capability.REFER) or user.agency_id is None:
        raise PermissionDenied


def referral_for(*, user: User, referral_id: int, request: HttpRequest | None) -> ReferralView:
    """One referral, for a user of the referring or the receiving agency; audited."""
    _require_refer(user)
    referral = (
        _base()
        .filter(Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id))
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:  # another agency's: not even its existence is confirmed
        raise Http404
    view = _view(referral, user, timezone.now())
    audit_log(
        actor=user,
        action="view",
        subject_type="referral",
        subject_id=referral.pk,
        request=request,
        details={"person": referral.person_id, "side": view.side},
    )
    return view


def _ordered(qs: QuerySet[Referral], now: dt.datetime) -> QuerySet[Referral]:
    rank = Case(
        When(overdue_q(now), then=Value(0)),
        When(status=ReferralStatus.PENDING, then=Value(1)),
        When(status=ReferralStatus.ACCEPTED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("rank", "respond_by", "pk")


@dataclass
class Queue:
    open: list[ReferralView] = field(default_factory=list)
    closed: list[ReferralView] = field(default_factory=list)


def _queue(user: User, qs: QuerySet[Referral], which: str, request: Any) -> Queue:
    now = timezone.now()
    queue = Queue(
        open=[_view(r, user, now) for r in _ordered(qs.filter(status__in=OPEN), now)],
        closed=[_view(r, user, now) for r in qs.exclude(status__in=OPEN)[:RECENT_CLOSED]],
    )
    _audit_list(user, which, queue.open + queue.closed, request)
    return queue


def received_queue(*, user: User, request: HttpRequest | None) -> Queue:
    """Referrals to the user's agency: overdue first, then pending, then accepted."""
    _require_refer(user)
    return _queue(user, _base().filter(to_agency_id=user.agency_id), "received", request)


def sent_queue(*, user: User, request: HttpRequest | None) -> Queue:
    _require_refer(user)
    return _queue(user, _base().filter(from_agency_id=user.agency_id), "sent", request)


@dataclass
class Overdue:
    received: list[ReferralView]
    sent: list[ReferralView]


def overdue_for(
    *, user: User, request: HttpRequest | None, now: dt.datetime | None = None
) -> Overdue:
    """Supervisors: their agency's overdue referrals, received (to answer) and sent (awaited)."""
    if not user.can(Capability.SUPERVISE_CASES) or user.agency_id is None:
        raise PermissionDenied
    now = now or timezone.now()
    qs = _base().filter(overdue_q(now)).order_by("respond_by", "pk")
    result = Overdue(
        received=[_view(r, user, now) for r in qs.filter(to_agency_id=user.agency_id)],
        sent=[_view(r, user, now) for r in qs.filter(from_agency_id=user.agency_id)],
    )
    _audit_list(user, "overdue", result.received + result.sent, request)
    return result


def referrals_on_file(
    *, user: User, person: Person, request: HttpRequest | None = None
) -> list[ReferralView]:
    """Her referrals sent or received by the user's agency, for her file; audited if any.

    A referral received without her identity is not listed: on her file it would tell the
    receiving agency who the woman of that referral is."""
    if not user.can(Capability.REFER) or user.agency_id is None:
        return []
    now = timezone.now()
    qs = (
        _base()
        .filter(Q(person=person) | Q(person__merged_into=person))
        .filter(Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id))
    )
    views = [_view(r, user, now) for r in qs]
    views = [v for v in views if v.side == "sent" or Share.IDENTITY in v.referral.shared_scope]
    if views:
        _audit_list(user, "file", views, request)
    return views
