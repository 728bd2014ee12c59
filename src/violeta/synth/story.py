"""One woman's whole story: who hurts her, when, and which agencies register it."""

from __future__ import annotations

from random import Random

from violeta.synth.config import CorruptionConfig
from violeta.synth.model import MINUTES_PER_DAY, TOTAL_MINUTES, Incident, Person, Record, day_of
from violeta.synth.people import choose_relation, make_aggressor, make_woman, move, new_phone
from violeta.synth.pools import Pools
from violeta.synth.timeline import (
    ANSWER_P,
    apply_calendar,
    assess,
    cascade,
    escalating_violence,
    event_minute,
    missing_report,
    ordinary_violence,
)

DAY = MINUTES_PER_DAY
PERSISTENT_SHARE = 0.045  # new aggressors (men, 28+) who will go on to hurt 2–3 women
REUSE_P = 0.07  # chance a woman meets a persistent aggressor with a victim still to take
SECOND_AGGRESSOR_SHARE = 0.10  # women with a second aggressor (a relative, an acquaintance)
PARTNER_WORDS = ("esposo", "concubino", "pareja", "novio", "ex_pareja")
MISSING_SHARE = 0.015  # women a relative reports missing once (during her story)
MISSING_ONLY_SHARE = 0.004  # women whose only record is a missing report (no file of her own)
MISSING_ESCALATING = 0.12  # escalating women reported missing shortly before the severe event
ANSWER_DROP = 0.12  # escalating women answer follow-up calls less at each stage (0.72 → 0.24)


class Aggressors:
    """Every aggressor created so far, and the persistent ones still to meet a next victim."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.open: list[Person] = []

    def take_persistent(self, rng: Random, escalating: bool) -> Person | None:
        """Now and then, a persistent aggressor with a victim still to take."""
        if escalating or not self.open or rng.random() >= REUSE_P:
            return None
        index = int(rng.random() * len(self.open))
        aggressor = self.open[index]
        self.open[index] = self.open[-1]
        self.open.pop()
        return aggressor

    def new(
        self,
        rng: Random,
        pools: Pools,
        woman: Person,
        first_day: int,
        relation: str,
        female: bool,
        *,
        may_persist: bool,
    ) -> tuple[Person, str]:
        number = len(self.people) + 1
        aggressor, relation = make_aggressor(number, rng, pools, woman, first_day, relation, female)
        self.people.append(aggressor)
        age = (first_day - aggressor.birth.toordinal()) // 365
        persists = may_persist and not aggressor.anonymous and not female and age >= 28
        if persists and rng.random() < PERSISTENT_SHARE:
            self.open.extend([aggressor] * (1 if rng.random() < 0.6 else 2))
        return aggressor, relation


def record_count(rng: Random, mean: float) -> int:
    """1 + an exponential draw: most women have a few records, some many (mean ``mean``)."""
    if mean <= 1:
        return 1
    return min(60, 1 + round(rng.expovariate(1 / (mean - 1))))


def _incident_plan(rng: Random, escalating: bool) -> list[int]:
    """Relative days of the incidents (escalating: 4–7 incidents, the gaps shrinking)."""
    if escalating:
        count = 4 + int(rng.random() * 4)
        days, gap = [0], 90 + rng.random() * 90
        for _ in range(count - 1):
            days.append(days[-1] + max(4, int(gap)))
            gap *= 0.55 + rng.random() * 0.2
        return days
    days, day = [], 0
    while day < TOTAL_MINUTES // DAY - 120 and len(days) < 40:
        days.append(day)
        day += 20 + int(rng.expovariate(1 / 150))
    return days


def tell_story(
    number: int,
    rng: Random,
    pools: Pools,
    cfg: CorruptionConfig,
    aggressors: Aggressors,
    *,
    records_per_woman: float,
    escalating_share: float,
) -> tuple[Person, list[Record]]:
    """Woman ``number``'s identity and her records, with the aggressors she meets."""
    woman = Person(f"W{number:06d}", "M")
    escalating = rng.random() < escalating_share
    woman.escalating = escalating
    target = 10**6 if escalating else record_count(rng, records_per_woman)
    days = _incident_plan(rng, escalating)
    persistent = aggressors.take_persistent(rng, escalating)
    if persistent is not None:
        main_relation, main_female = PARTNER_WORDS[int(rng.random() * len(PARTNER_WORDS))], False
    else:
        main_relation, main_female = choose_relation(rng, escalating)
    has_second = not escalating and rng.random() < SECOND_AGGRESSOR_SHARE
    second_relation, second_female = choose_relation(rng, False, secondary=True)
    incidents: list[Incident] = []
    secondary_ids: set[int] = set()
    records: list[Record] = []
    missing_only = not escalating and rng.random() < MISSING_ONLY_SHARE
    missing_p = MISSING_ESCALATING if escalating else MISSING_SHARE
    missing_at = -1 if rng.random() >= missing_p else len(days) - 2 if escalating else 0
    if missing_at == 0 and len(days) > 1:
        missing_at = int(rng.random() * min(len(days), 1 + target // 3))
    for i, day in enumerate(days):
        inc = Incident(event_minute(rng, day))
        secondary = has_second and i > 0 and rng.random() < 0.3
        if secondary:
            secondary_ids.add(id(inc))
        inc.relation = second_relation if secondary else main_relation
        stage = 0
        if escalating:
            stage = 4 if i == len(days) - 1 else min(3, i * 4 // (len(days) - 1))
            escalating_violence(rng, inc, stage)
        else:
            ordinary_violence(rng, inc, inc.relation)
        assess(inc, rng)
        window_end = days[i + 1] * DAY if i + 1 < len(days) else inc.ts + 120 * DAY
        incidents.append(inc)
        if missing_only:
            records.append(missing_report(rng, woman, inc, inc.ts + int(rng.random() * DAY)))
            break
        answer_p = ANSWER_P - ANSWER_DROP * stage if escalating else ANSWER_P
        records.extend(cascade(rng, woman, inc, window_end, escalating, answer_p))
        if i == missing_at:
            # Missing for a day or more, before the next incident (escalating: the last one).
            when = window_end - DAY - int(rng.random() * min(10 * DAY, window_end - inc.ts) / 2)
            if when > inc.ts + DAY:
                records.append(missing_report(rng, woman, inc, when))
        if len(records) >= target:
            break
    records.sort(key=lambda r: r.ts)
    if not escalating:
        del records[target:]
    used = {id(r.inc) for r in records}
    incidents = [inc for inc in incidents if id(inc) in used]
    span = max(r.ts for r in records)
    shift = int(rng.random() * max(1, TOTAL_MINUTES - span) / DAY) * DAY
    for record in records:
        record.ts += shift
    # A long story's last follow-ups may fall after the period's end: they are left out.
    records = [r for r in records if r.ts < TOTAL_MINUTES]
    used = {id(r.inc) for r in records}
    incidents = [inc for inc in incidents if id(inc) in used]
    for inc in incidents:
        inc.ts += shift
        apply_calendar(inc)
        if inc.final:
            woman.severe_at = inc.ts
    first_day = day_of(incidents[0].ts)
    filled = make_woman(number, rng, pools, first_day)
    for slot in ("given", "first", "second", "birth", "state", "curp", "phones", "homes"):
        setattr(woman, slot, getattr(filled, slot))
    if persistent is not None:
        main = persistent
    else:
        main, main_relation = aggressors.new(
            rng, pools, woman, first_day, main_relation, main_female, may_persist=True
        )
    second: Person | None = None
    for i, inc in enumerate(incidents):
        if i > 0:
            if rng.random() < cfg.moved:
                move(woman, rng, pools)
            if rng.random() < cfg.phone_changed:
                new_phone(woman, rng)
        inc.home, inc.phone = len(woman.homes) - 1, len(woman.phones) - 1
        if id(inc) not in secondary_ids:
            inc.aggressor, inc.relation = main, main_relation
        else:
            if second is None:
                second, second_relation = aggressors.new(
                    rng,
                    pools,
                    woman,
                    first_day,
                    second_relation,
                    second_female,
                    may_persist=False,
                )
            inc.aggressor, inc.relation = second, second_relation
        _place(rng, pools, woman, inc)
    for aggressor in (main, second):
        if aggressor is not None:
            aggressor.links.append(woman.pid)
            woman.links.append(aggressor.pid)
    return woman, records


def _place(rng: Random, pools: Pools, woman: Person, inc: Incident) -> None:
    home = woman.homes[inc.home]
    if not home.outside and rng.random() < 0.75:
        inc.colonia, inc.alcaldia = home.colonia, home.alcaldia
    else:
        place = pools.alcaldias.draw(rng)
        inc.colonia = place.colonias[int(rng.random() * len(place.colonias))]
        inc.alcaldia = place.code
