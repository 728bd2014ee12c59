"""Demo risk assessments: some women of the demo assessed by the police and the women's
centre, a few of them already due again, so the levels, lists and follow-up pages show
something the first time the demo opens. Synthetic data only, made through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from violeta.agencies.models import User
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.services import assessment_save, assessment_start

# Which agency's caseworker assesses with which instrument, and how many women each.
# How often an item is answered yes, per woman: most women low or medium, as forms give.
YES_SHARES = (0.02, 0.05, 0.1, 0.15, 0.25, 0.4)
PLAN = (("SSC", "vpr", 120), ("SEMUJERES", "danger", 80))


def _answers(instrument: InstrumentVersion, rng: random.Random, share: float) -> dict[str, object]:
    """Each item answered with its weightiest option with probability ``share``, otherwise its
    lightest (numbers: the lowest allowed)."""
    answers: dict[str, object] = {}
    for item in instrument.parsed.items:
        if item.options:
            ranked = sorted(item.options, key=lambda o: o.weight)
            answers[item.id] = (ranked[-1] if rng.random() < share else ranked[0]).value
        elif item.low is not None:
            answers[item.id] = item.low
    return answers


def demo_assessments(seed: int = 7) -> int:
    """Assess a sample of the demo's women once (nothing if any assessment exists)."""
    if not settings.DEMO:
        raise RuntimeError("demo assessments exist only in demo mode")
    if RiskAssessment.objects.exists():
        return 0
    rng = random.Random(seed)
    made = 0
    for agency, code, count in PLAN:
        actor = User.objects.get(username=f"{agency.lower()}.caseworker")
        instrument = (
            InstrumentVersion.objects.filter(code=code, retired_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        if instrument is None:
            continue
        women = list(
            Person.objects.filter(
                kind=PersonKind.WOMAN,
                merged_into=None,
                mentions__role=PartyRole.VICTIM,
                mentions__record__agency__code=agency,
            )
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)[: count * 3]
        )
        for person_id in rng.sample(women, min(count, len(women))):
            person = Person.objects.get(pk=person_id)
            draft = assessment_start(person=person, instrument=instrument, actor=actor)
            answers = _answers(instrument, rng, share=rng.choice(YES_SHARES))
            outcome = assessment_save(assessment=draft, answers=answers, complete=True, actor=actor)
            done = outcome.assessment
            days = rng.randint(0, 90)  # assessed some days ago: some are due again by now
            ago = dt.timedelta(days=days)
            RiskAssessment.objects.filter(pk=done.pk).update(
                completed_at=timezone.now() - ago,
                next_reassessment_due=(done.next_reassessment_due - ago)
                if done.next_reassessment_due
                else None,
            )
            made += 1
    return made
