"""Roles and what each may do: the one table need-to-know is read from."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    REGISTER_RECORDS = "register_records"
    SEARCH_PEOPLE = "search_people"
    VIEW_PERSON_FILE = "view_person_file"
    # Other agencies' records show kind, date, agency and risk level; this adds violence types,
    # modalities and alcaldía. Narratives and identities of other agencies' records: never.
    VIEW_OTHER_AGENCY_SUMMARY = "view_other_agency_summary"
    VIEW_STATISTICS = "view_statistics"
    REVIEW_LINKS = "review_links"
    READ_AUDIT = "read_audit"
    ADMINISTER = "administer"
    ISSUE_CERTIFICATES = "issue_certificates"  # constancias of prior attention
    REVOKE_CERTIFICATES = "revoke_certificates"
    REFER = "refer"  # refer a woman to another agency; answer the referrals received
    OVERRIDE_CONSENT = "override_consent"  # share without (or beyond) her consent, with a reason
    SUPERVISE_CASES = "supervise_cases"  # overdue referrals; close supervised follow-ups
    MANAGE_SAFETY_PLANS = "manage_safety_plans"  # make, edit and print her safety plan
    ASSESS_RISK = "assess_risk"  # operators only in the agencies of settings.RISK_OPERATOR_AGENCIES
    LOWER_RISK_LEVEL = "lower_risk_level"  # lower a computed level, approve a request to
    MANAGE_DELIVERIES = "manage_deliveries"  # see failed alert deliveries and retry them
    RECEIVE_ALERTS = "receive_alerts"  # early warnings about the women her agency attends
    SUPERVISE_ALERTS = "supervise_alerts"  # open alerts of her agency; escalations reach her
    HANDLE_PUBLIC_REPORTS = "handle_public_reports"  # the queue of reports from the public
    IMPORT_RECORDS = "import_records"  # upload her agency's registry file (/importar/)
    # Her whole file, every agency's part, as JSON or PDF for a request of access (ARCO), with
    # the legal basis stated; only a supervisor of an agency that attended her.
    EXPORT_PERSON_FILE = "export_person_file"
    # The national registry's (BANAVIM) incident file for a period: profiles, never identities.
    EXPORT_NATIONAL_REGISTRY = "export_national_registry"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.OPERATOR: frozenset(
        {
            Capability.REGISTER_RECORDS,
            Capability.SEARCH_PEOPLE,
            Capability.VIEW_PERSON_FILE,
            Capability.ASSESS_RISK,
            Capability.RECEIVE_ALERTS,
            Capability.HANDLE_PUBLIC_REPORTS,
            Capability.IMPORT_RECORDS,
        }
    ),
    Role.CASEWORKER: frozenset(
        {
            Capability.REGISTER_RECORDS,
            Capability.SEARCH_PEOPLE,
            Capability.VIEW_PERSON_FILE,
            Capability.ISSUE_CERTIFICATES,
            Capability.REFER,
            Capability.MANAGE_SAFETY_PLANS,
            Capability.ASSESS_RISK,
            Capability.RECEIVE_ALERTS,
            Capability.HANDLE_PUBLIC_REPORTS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.REGISTER_RECORDS,
            Capability.SEARCH_PEOPLE,
            Capability.VIEW_PERSON_FILE,
            Capability.VIEW_OTHER_AGENCY_SUMMARY,
            Capability.VIEW_STATISTICS,
            Capability.REVIEW_LINKS,
            Capability.ISSUE_CERTIFICATES,
            Capability.REVOKE_CERTIFICATES,
            Capability.REFER,
            Capability.OVERRIDE_CONSENT,
            Capability.SUPERVISE_CASES,
            Capability.MANAGE_SAFETY_PLANS,
            Capability.ASSESS_RISK,
            Capability.LOWER_RISK_LEVEL,
            Capability.MANAGE_DELIVERIES,
            Capability.RECEIVE_ALERTS,
            Capability.SUPERVISE_ALERTS,
            Capability.HANDLE_PUBLIC_REPORTS,
            Capability.IMPORT_RECORDS,
            Capability.EXPORT_PERSON_FILE,
            Capability.EXPORT_NATIONAL_REGISTRY,
        }
    ),
    Role.ANALYST: frozenset({Capability.VIEW_STATISTICS, Capability.EXPORT_NATIONAL_REGISTRY}),
    Role.AUDITOR: frozenset({Capability.READ_AUDIT}),
    Role.ADMINISTRATOR: frozenset({Capability.ADMINISTER, Capability.MANAGE_DELIVERIES}),
}


def role_can(role: str, capability: Capability) -> bool:
    try:
        return capability in CAPABILITIES[Role(role)]
    except ValueError:
        return False
