"""Who may see and answer an alert: its recipients, the supervisors it escalated to, and the
supervisors (SUPERVISE_ALERTS) of the agencies it was sent to."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.alerts.models import Alert


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    if not user.can(Capability.RECEIVE_ALERTS):
        return Alert.objects.none()
    mine = Q(recipients=user) | Q(escalated_to=user)
    if user.can(Capability.SUPERVISE_ALERTS) and user.agency_id is not None:
        mine |= Q(recipients__agency_id=user.agency_id)
    ids = Alert.objects.filter(mine).values("pk")
    return Alert.objects.filter(pk__in=ids)


def may_act(user: User, alert: Alert) -> bool:
    return alerts_visible_to(user).filter(pk=alert.pk).exists()
