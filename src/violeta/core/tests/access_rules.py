"""Who may reach each URL of the URL conf: the table test_access_matrix checks every URL against.

Roles are written out here, not derived from ``CAPABILITIES``, so that a change there breaks a
test. Every named URL of ``violeta.urls`` (every namespace) needs a rule; the admin has one rule
for its whole prefix. Objects belong to (or were attended by) ``OWNER`` unless a rule says
otherwise; ``OTHER`` is an agency that never attended her.
"""

from __future__ import annotations

from dataclasses import dataclass

OWNER = "SEMUJERES"
OTHER = "FGJ"
AGENCIES = (OWNER, OTHER)

OPERATOR, CASEWORKER, SUPERVISOR = "operator", "caseworker", "supervisor"
ANALYST, AUDITOR, ADMINISTRATOR = "analyst", "auditor", "administrator"
ROLES = (OPERATOR, CASEWORKER, SUPERVISOR, ANALYST, AUDITOR, ADMINISTRATOR)
FRONT = frozenset({OPERATOR, CASEWORKER, SUPERVISOR})  # those who attend women
CASE = frozenset({CASEWORKER, SUPERVISOR})

PUBLIC = "public"  # anyone, no login
STAFF = "staff"  # any staff user who passed the second factor


@dataclass(frozen=True)
class Rule:
    """``who``: PUBLIC, STAFF or the roles that may reach it. ``obj``: the fixture's
    object whose id fills the URL. ``own``: only the object's agency (or, with ``user``, only
    the one user the object belongs to). ``method``: what the matrix sends (POST for POST-only
    views). ``status``: the exact answer expected of everyone allowed, when not a plain success.
    ``token``: the API, reached with a bearer token of a client acting as one of ``who`` and
    holding ``scope`` (the staff session opens nothing there). ``agencies``: only clients or
    users of these agencies."""

    who: str | frozenset[str]
    obj: str = ""
    own: bool = False
    method: str = "GET"
    user: str = ""
    status: int = 0
    scope: str = ""
    token: bool = False
    agencies: frozenset[str] = frozenset()
    why: str = ""


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


# Pages of the admin that refuse even an administrator, by design: the add pages of what is
# only ever created by the application (logs, jobs, deliveries, API clients and tokens, loaded
# instruments and datasets), and the autocomplete endpoint asked without its parameters.
ADMIN_REFUSES_ADMINISTRATORS = (
    "admin:autocomplete",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
    "admin:intake_importjob_add",
    "admin:risk_instrumentversion_add",
    "admin:delivery_delivery_add",
    "admin:observatory_officialdataset_add",
    "admin:observatory_officialfigure_add",
    "admin:api_apiclient_add",
    "admin:api_apitoken_add",
    "admin:agencies_passkeydevice_add",
)


RULES: dict[str, Rule] = {
    # The whole Django admin (every model's pages), administrators only.
    "admin:*": Rule(roles(ADMINISTRATOR)),
    # ... except its login form, which answers everyone (and then asks for an administrator).
    "admin:login": Rule(PUBLIC),
    "healthz": Rule(PUBLIC),
    "readyz": Rule(PUBLIC),
    "set_language": Rule(PUBLIC, method="POST"),
    # Login and two-factor.
    "agencies:login": Rule(PUBLIC),
    "agencies:logout": Rule(STAFF, method="POST"),
    "agencies:otp_verify": Rule(STAFF),
    "agencies:otp_setup": Rule(
        STAFF, status=302, why="a user with a confirmed device is sent on to the code page"
    ),
    # Passkeys: her own list and registration (after the second factor); nobody in the matrix
    # has one (test_passkeys registers and removes them).
    "agencies:passkeys": Rule(STAFF),
    "agencies:passkey_register_options": Rule(STAFF, method="POST"),
    "agencies:passkey_register_verify": Rule(
        STAFF, method="POST", status=400, why="a POST without the browser's answer: a message"
    ),
    "agencies:passkey_remove": Rule(
        STAFF,
        obj="referral_in",
        method="POST",
        status=302,
        why="an id that is not one of her passkeys: back to her list, nothing removed",
    ),
    # The passkey as the second factor: reachable before it (PRE_OTP).
    "agencies:passkey_login_options": Rule(
        STAFF, method="POST", status=400, why="she has no passkey: told to use the code"
    ),
    "agencies:passkey_login_verify": Rule(STAFF, method="POST"),
    # Records and her file.
    "records:home": Rule(STAFF),
    "records:search": Rule(FRONT),
    "records:register": Rule(FRONT),
    "records:statistics": Rule(roles(SUPERVISOR, ANALYST)),
    # Any agency that attends women opens her file; another agency's records show no narrative
    # (checked on every answer below).
    "records:person_file": Rule(FRONT, obj="woman"),
    "audit:search": Rule(roles(AUDITOR)),
    "audit:verify": Rule(roles(AUDITOR), method="POST"),
    # Linkage review is national: a supervisor of any agency decides.
    "linkage:queue": Rule(roles(SUPERVISOR)),
    "linkage:pair": Rule(roles(SUPERVISOR), obj="pair"),
    "linkage:split": Rule(roles(SUPERVISOR), obj="identity", method="POST"),
    "linkage:unlinked": Rule(roles(SUPERVISOR)),
    "linkage:unlinked_record": Rule(roles(SUPERVISOR), obj="unlinked"),
    "certificates:verify": Rule(PUBLIC),
    "certificates:issue": Rule(CASE, obj="woman"),
    "certificates:detail": Rule(CASE, obj="certificate", own=True),
    "certificates:download": Rule(CASE, obj="certificate", own=True),
    "certificates:revoke": Rule(roles(SUPERVISOR), obj="certificate", own=True, method="POST"),
    "referrals:received": Rule(CASE),
    "referrals:sent": Rule(CASE),
    "referrals:overdue": Rule(roles(SUPERVISOR)),
    "referrals:create": Rule(CASE, obj="woman"),
    # referral_in: from SEDESA to OWNER (OWNER answers it); referral_out: OWNER to SEDESA.
    "referrals:detail": Rule(CASE, obj="referral_in", own=True),
    "referrals:accept": Rule(CASE, obj="referral_in", own=True, method="POST"),
    "referrals:decline": Rule(CASE, obj="referral_in", own=True, method="POST"),
    "referrals:complete": Rule(CASE, obj="referral_in", own=True, method="POST"),
    "referrals:cancel": Rule(CASE, obj="referral_out", own=True, method="POST"),
    "cases:supervised": Rule(roles(SUPERVISOR)),
    "cases:close": Rule(roles(SUPERVISOR), obj="case", own=True, method="POST"),
    "safetyplan:create": Rule(CASE, obj="woman", own=True),
    "safetyplan:detail": Rule(CASE, obj="plan", own=True),
    "safetyplan:version": Rule(CASE, obj="plan_version", own=True),
    "safetyplan:edit": Rule(CASE, obj="plan", own=True),
    "safetyplan:pdf": Rule(CASE, obj="plan", own=True),
    "safetyplan:version_pdf": Rule(CASE, obj="plan_version", own=True),
    # Operators assess risk only in SSC and LINEA (settings.RISK_OPERATOR_AGENCIES), neither
    # of which is in this matrix.
    "risk:start": Rule(CASE, obj="woman"),
    "risk:follow_up": Rule(CASE),
    # Counts of changed levels per agency and unit (statistics, no woman named).
    "risk:overrides": Rule(roles(SUPERVISOR, ANALYST)),
    "risk:detail": Rule(CASE, obj="assessment", own=True),
    "risk:answer": Rule(CASE, obj="assessment", own=True),
    "risk:override": Rule(CASE, obj="assessment", own=True, method="POST"),
    "risk:decide": Rule(roles(SUPERVISOR), obj="assessment", own=True, method="POST"),
    "delivery:inbox": Rule(STAFF),
    "delivery:inbox_fragment": Rule(STAFF),
    "delivery:inbox_count": Rule(STAFF),
    "delivery:inbox_read_all": Rule(STAFF, method="POST"),
    # Her own message only: the inbox of semujeres.caseworker.
    "delivery:inbox_open": Rule(
        STAFF, obj="message", own=True, user=f"{OWNER.lower()}.{CASEWORKER}", method="POST"
    ),
    "delivery:troubled": Rule(roles(SUPERVISOR, ADMINISTRATOR)),
    "delivery:retry": Rule(roles(SUPERVISOR, ADMINISTRATOR), obj="delivery", method="POST"),
    # The alert's recipients are OWNER's operator, caseworker and supervisor.
    "alerts:mine": Rule(FRONT),
    "alerts:supervise": Rule(roles(SUPERVISOR)),
    "alerts:rules": Rule(roles(ADMINISTRATOR)),
    "alerts:detail": Rule(FRONT, obj="alert", own=True),
    "alerts:acknowledge": Rule(FRONT, obj="alert", own=True, method="POST"),
    "alerts:close": Rule(FRONT, obj="alert", own=True, method="POST"),
    # The public reporting channel, and the queue of the agency a report is routed to.
    "reports:form": Rule(PUBLIC),
    "reports:created": Rule(PUBLIC),
    "reports:followup": Rule(PUBLIC),
    "reports:quick_exit": Rule(PUBLIC),
    "reports:whatsapp_webhook": Rule(
        PUBLIC, status=403, why="unsigned calls are refused by everyone (X-Hub-Signature-256)"
    ),
    "reports:queue": Rule(FRONT),
    "reports:detail": Rule(FRONT, obj="report", own=True),
    "reports:status": Rule(FRONT, obj="report", own=True, method="POST"),
    "reports:answer": Rule(FRONT, obj="report", own=True, method="POST"),
    "intake:upload": Rule(roles(OPERATOR, SUPERVISOR)),
    "intake:job": Rule(roles(OPERATOR, SUPERVISOR), obj="job", own=True),
    "intake:job_fragment": Rule(roles(OPERATOR, SUPERVISOR), obj="job", own=True),
    "intake:rejections": Rule(roles(OPERATOR, SUPERVISOR), obj="job", own=True),
    "exports:person_file": Rule(roles(SUPERVISOR), obj="woman", own=True),
    "exports:banavim": Rule(roles(SUPERVISOR, ANALYST)),
    # Her rights of access, rectification, cancellation and opposition (ARCO): a supervisor of
    # an agency that attended her.
    "lifecycle:register": Rule(roles(SUPERVISOR)),
    "lifecycle:rectify": Rule(roles(SUPERVISOR), obj="woman", own=True),
    "lifecycle:request_new": Rule(roles(SUPERVISOR), obj="woman", own=True),
    "lifecycle:answer": Rule(roles(SUPERVISOR), obj="arco", own=True, method="POST"),
    # The public observatory and its open data.
    "observatory:home": Rule(PUBLIC),
    "observatory:figures_csv": Rule(PUBLIC),
    "observatory:figures_json": Rule(PUBLIC),
    "observatory:dictionary": Rule(PUBLIC),
    "observatory:datapackage": Rule(PUBLIC),
    "observatory:official_csv": Rule(PUBLIC, obj="official"),
    "observatory:releases": Rule(PUBLIC),
    "observatory:releases_json": Rule(PUBLIC),
    "observatory:csv": Rule(PUBLIC, obj="table"),
    "observatory:api:index": Rule(PUBLIC),
    "observatory:api:table": Rule(PUBLIC, obj="table"),
    "observatory:api:openapi": Rule(PUBLIC),
    "observatory:api:missing": Rule(PUBLIC, status=404, why="the catch-all of unknown paths"),
    # The REST API: bearer tokens only (the staff session opens nothing there).
    "api:schema": Rule(PUBLIC),
    "api:docs": Rule(PUBLIC),
    "api:not_found": Rule(PUBLIC, status=404, why="the catch-all of unknown paths"),
    "api:instruments": Rule(FRONT, token=True, scope="risk:read"),
    "api:assessments": Rule(FRONT, token=True, scope="risk:write", method="POST"),
    "api:assessment": Rule(CASE, obj="assessment", own=True, token=True, scope="risk:read"),
    "api:answers": Rule(
        CASE, obj="assessment", own=True, token=True, scope="risk:write", method="PUT"
    ),
    "api:complete": Rule(
        CASE, obj="assessment", own=True, token=True, scope="risk:write", method="POST"
    ),
    "api:override": Rule(
        CASE, obj="assessment", own=True, token=True, scope="risk:write", method="POST"
    ),
    # Her current level and its history: whoever attends her in an agency that attended her.
    "api:woman_risk": Rule(FRONT, obj="woman", own=True, token=True, scope="risk:read"),
    "api:woman_risk_history": Rule(FRONT, obj="woman", own=True, token=True, scope="risk:read"),
    "api:records": Rule(FRONT, token=True, scope="records:write", method="POST"),
    "api:record": Rule(FRONT, obj="record_ref", own=True, token=True, scope="records:read"),
    "api:women_search": Rule(FRONT, token=True, scope="people:search", method="POST"),
    "api:woman_alerts": Rule(FRONT, obj="woman", own=True, token=True, scope="alerts:read"),
    # FHIR bundles come from the health agency's systems only.
    "api:fhir_bundle": Rule(
        FRONT, token=True, scope="records:write", method="POST", agencies=roles("SEDESA")
    ),
}
