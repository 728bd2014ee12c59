"""Domain objects → response dicts (shapes in serializers.py). Ids and codes, no names."""

from __future__ import annotations

from typing import Any

from violeta.risk import scoring
from violeta.risk.choices import Status
from violeta.risk.definition import Item, Level, localized
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.selectors import CurrentLevel


def level_dict(level: Level | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {
        "code": level.code,
        "label": level.name,
        "min_score": level.min_score,
        "equivalent": level.equivalent,
        "reassess_hours": level.reassess_hours,
    }


def item_dict(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "group": item.group,
        "text": item.label,
        "type": item.type,
        "required": item.required,
        "options": [
            {"value": o.value, "label": localized(o.label), "weight": o.weight}
            for o in item.options
        ],
        "low": item.low,
        "high": item.high,
    }


def instrument_dict(instrument: InstrumentVersion) -> dict[str, Any]:
    d = instrument.parsed
    return {
        "code": instrument.code,
        "version": instrument.version,
        "name": instrument.title,
        "kind": d.kind,
        "items": [item_dict(i) for i in d.items],
        "levels": [level_dict(lv) for lv in d.levels],
    }


def explanation_dict(assessment: RiskAssessment) -> dict[str, Any]:
    ex = scoring.explain(assessment.instrument.parsed, assessment.answer_dict())
    return {
        "lines": [
            {
                "item": line.item.id,
                "text": line.item.label,
                "answer": line.answer,
                "answer_label": line.answer_label,
                "weight": line.weight,
            }
            for line in ex.lines
        ],
        "total": ex.total,
        "level": level_dict(ex.level),
        "next_threshold": level_dict(ex.next_level),
    }


def assessment_dict(a: RiskAssessment) -> dict[str, Any]:
    override = None
    if a.override_state:
        override = {
            "direction": a.override_direction,
            "level": a.override_level,
            "state": a.override_state,
            "decided_at": a.override_decided_at,
        }
    completed = a.status == Status.COMPLETED
    return {
        "id": a.pk,
        "person": a.person_id,
        "agency": a.agency.code,
        "instrument": a.instrument.code,
        "version": a.instrument.version,
        "status": a.status,
        "revision": a.version,
        "answers": a.answer_dict(),
        "score": a.score,
        "computed_level": a.computed_level,
        "final_level": a.final_level,
        "final_equivalent": a.final_equivalent,
        "override": override,
        "created_at": a.created_at,
        "completed_at": a.completed_at,
        "next_reassessment_due": a.next_reassessment_due,
        "explanation": explanation_dict(a) if completed else None,
    }


def current_dict(level: CurrentLevel | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {
        "assessment": level.assessment_id,
        "level": level.level,
        "label": level.label,
        "equivalent": level.equivalent,
        "computed_level": level.computed_level,
        "overridden": level.overridden,
        "instrument": level.instrument,
        "agency": level.agency_code,
        "completed_at": level.completed_at,
        "next_reassessment_due": level.next_reassessment_due,
        "overdue": level.overdue,
    }
