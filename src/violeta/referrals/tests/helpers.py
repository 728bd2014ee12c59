"""Shared set-up for referral tests: one synthetic woman and a referral factory."""

from __future__ import annotations

from typing import Any

from violeta.agencies.models import Agency, User
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.referrals.models import Referral
from violeta.referrals.services import referral_create

REFERRAL_NARRATIVE = "Relato-de-la-canalizacion: la amenazo con un cuchillo"
RECORD_NARRATIVE = "refiere golpes de su pareja"  # in every factory record's narrative


def woman_with_records() -> tuple[Person, AgencyRecord]:
    """Guadalupe Hernández López: a women's-centre session and a 911 call, one file."""
    a = _register("S-1")
    b = _register("C5-1", agency="C5")
    assert a.victim.pk == b.victim.pk
    return a.victim, a.record


def refer(actor: User, person: Person, **overrides: Any) -> Referral:
    values: dict[str, Any] = {
        "to_agency": Agency.objects.get(code="SEDESA"),
        "service": "medical",
        "reason": "Valoración médica de lesiones",
        "narrative": REFERRAL_NARRATIVE,
        "consent_given": True,
        "consent_method": "verbal",
        "consent_scope": ["identity", "attentions"],
    }
    values.update(overrides)
    return referral_create(actor=actor, person=person, **values)
