"""The rule set as versioned data: validated when saved, a new version for every change.

A rule is ``{"code", "name": {"es", "en"}, "level", "trigger": [...], "parameters", "enabled"}``.
``PARAMETERS`` says which parameters each rule takes and what values they allow; a rule set
naming an unknown rule, an unknown field or a bad value is refused with the reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.alerts.choices import Level, Trigger
from violeta.alerts.models import RuleSetVersion
from violeta.audit.services import audit_log
from violeta.core.conflicts import EditConflict

SHIPPED = Path(__file__).parent / "rules" / "rules.json"
SCALE = ("no_apreciado", "bajo", "medio", "alto", "extremo")
RULE_FIELDS = {"code", "name", "level", "trigger", "parameters", "enabled"}


def _int(low: int, high: int) -> tuple[str, int, int]:
    return ("int", low, high)


BOOL = ("bool", 0, 1)
LEVELS = ("levels", 0, 0)
PARAMETERS: dict[str, dict[str, tuple[str, int, int]]] = {
    "record_at_high_risk": {"levels": LEVELS},
    "order_breach": {"within_days": _int(1, 365)},
    "order_expiring": {"days_before": _int(1, 90), "levels": LEVELS},
    "aggressor_release": {"within_days": _int(1, 365)},
    "persistent_aggressor": {"years": _int(1, 20)},
    "many_records": {"records": _int(2, 100), "days": _int(1, 365), "agencies": _int(1, 10)},
    "escalation": {"severity": BOOL, "frequency": BOOL},
    "dangerous_aggressor": {"other_women": _int(1, 50), "weapons": BOOL},
    "reassessment_overdue": {"grace_hours": _int(0, 24 * 30)},
    "missing_report": {"open_file_days": _int(1, 3650)},
    "unanswered_followup": {"within_days": _int(1, 90), "levels": LEVELS},
}


def _check_parameter(code: str, name: str, value: Any) -> None:
    kind, low, high = PARAMETERS[code][name]
    where = {"rule": code, "name": name}
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(
                _("Rule %(rule)s: %(name)s must be a whole number from %(low)s to %(high)s.")
                % (where | {"low": low, "high": high})
            )
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError(_("Rule %(rule)s: %(name)s must be true or false.") % where)
    elif not isinstance(value, list) or not value or any(v not in SCALE[1:] for v in value):
        raise ValidationError(
            _("Rule %(rule)s: %(name)s must list levels among: %(allowed)s.")
            % (where | {"allowed": ", ".join(SCALE[1:])})
        )


def validate(rules: Any) -> list[dict[str, Any]]:
    """The rules if every one can be evaluated; else ValidationError naming rule and field."""
    if not isinstance(rules, list):
        raise ValidationError(_("The rule set must be a list of rules."))
    seen: set[str] = set()
    for position, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            raise ValidationError(_("Rule %(n)s is not an object.") % {"n": position})
        code = rule.get("code")
        if code not in PARAMETERS:
            raise ValidationError(
                _("Rule %(n)s: unknown rule «%(code)s».") % {"n": position, "code": code}
            )
        if code in seen:
            raise ValidationError(_("Rule %(rule)s appears twice.") % {"rule": code})
        seen.add(code)
        for field in sorted(set(rule) - RULE_FIELDS):
            raise ValidationError(
                _("Rule %(rule)s: unknown field «%(name)s».") % {"rule": code, "name": field}
            )
        for field in sorted(RULE_FIELDS - set(rule)):
            raise ValidationError(
                _("Rule %(rule)s: the field «%(name)s» is missing.") % {"rule": code, "name": field}
            )
        name = rule["name"]
        if not isinstance(name, dict) or not all(
            isinstance(name.get(k), str) and name[k] for k in ("es", "en")
        ):
            raise ValidationError(_("Rule %(rule)s: name needs «es» and «en».") % {"rule": code})
        if rule["level"] not in Level.values:
            raise ValidationError(
                _("Rule %(rule)s: level must be aviso, alerta or alarma.") % {"rule": code}
            )
        triggers = rule["trigger"]
        if (
            not isinstance(triggers, list)
            or not triggers
            or any(t not in Trigger.values for t in triggers)
        ):
            raise ValidationError(
                _("Rule %(rule)s: trigger must list some of: %(allowed)s.")
                % {"rule": code, "allowed": ", ".join(Trigger.values)}
            )
        if not isinstance(rule["enabled"], bool):
            raise ValidationError(
                _("Rule %(rule)s: enabled must be true or false.") % {"rule": code}
            )
        params = rule["parameters"]
        if not isinstance(params, dict):
            raise ValidationError(
                _("Rule %(rule)s: parameters must be an object.") % {"rule": code}
            )
        for pname in sorted(set(params) - set(PARAMETERS[code])):
            raise ValidationError(
                _("Rule %(rule)s: unknown parameter «%(name)s».") % {"rule": code, "name": pname}
            )
        for pname in PARAMETERS[code]:
            if pname not in params:
                raise ValidationError(
                    _("Rule %(rule)s: the parameter «%(name)s» is missing.")
                    % {"rule": code, "name": pname}
                )
            _check_parameter(code, pname, params[pname])
    return rules


def _digest(rules: list[dict[str, Any]]) -> str:
    text = json.dumps(rules, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _latest() -> RuleSetVersion | None:
    return RuleSetVersion.objects.order_by("-version").first()


def active_ruleset() -> RuleSetVersion:
    """The latest version; the shipped rules are loaded the first time."""
    latest = _latest()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return ruleset_save(rules=json.loads(SHIPPED.read_text()), actor=None)
    except IntegrityError:  # another process loaded them at the same moment: theirs stands
        return RuleSetVersion.objects.order_by("-version").get(version=1)


@transaction.atomic
def ruleset_save(
    *, rules: Any, actor: User | None, reason: str = "", base: int | None = None
) -> RuleSetVersion:
    """Store ``rules`` as a new version (the same rules as the latest: nothing new). Audited.
    ``base``: the version the edit started from; if another was saved since, EditConflict."""
    rules = validate(rules)
    digest = _digest(rules)
    latest = RuleSetVersion.objects.select_for_update().order_by("-version").first()
    current = latest.version if latest else 0
    if base is not None and base != current:
        raise EditConflict(
            _("Someone else saved rules version %(v)s meanwhile.") % {"v": current},
            current=current,
        )
    if latest is not None and latest.digest == digest:
        return latest
    version = RuleSetVersion.objects.create(
        version=(latest.version + 1) if latest else 1,
        rules=rules,
        digest=digest,
        created_by=actor,
        reason=reason,
    )
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:alerts",
        action="create",
        subject_type="alert_ruleset",
        subject_id=version.pk,
        reason=reason,
        details={"version": version.version, "digest": digest},
    )
    return version
