"""Who may assess risk and see an assessment's answers."""

from __future__ import annotations

from django.conf import settings

from violeta.agencies.models import User
from violeta.agencies.roles import Capability, Role
from violeta.risk.models import RiskAssessment


def may_assess(user: User) -> bool:
    """Caseworkers and supervisors of any agency; operators only in the agencies that assess
    (settings.RISK_OPERATOR_AGENCIES: the police, the follow-up line)."""
    if not user.can(Capability.ASSESS_RISK) or user.agency is None:
        return False
    if user.role == Role.OPERATOR:
        return user.agency.code in getattr(settings, "RISK_OPERATOR_AGENCIES", ())
    return True


def may_see(user: User, assessment: RiskAssessment) -> bool:
    """The answers stay in the agency that made the assessment; other agencies see the level."""
    return may_assess(user) and user.agency_id == assessment.agency_id


def may_lower(user: User, assessment: RiskAssessment) -> bool:
    return user.can(Capability.LOWER_RISK_LEVEL) and user.agency_id == assessment.agency_id
