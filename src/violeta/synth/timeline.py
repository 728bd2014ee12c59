"""Each woman's story: incidents over time and the records they leave in each agency."""

from __future__ import annotations

from random import Random
from typing import Any

from violeta.synth.model import (
    DIGITAL_FROM,
    MINUTES_PER_DAY,
    POLITICA_FROM,
    VICARIA_FROM,
    Incident,
    Person,
    Record,
    day_of,
    severity,
)
from violeta.synth.pools import Weighted

DAY = MINUTES_PER_DAY
HOUR = 60
# Incidents by hour of day (evening and night peak), office hours for services.
_HOUR_WEIGHTS = (
    4, 3, 2, 1.5, 1, 1, 1.5, 2, 3, 3.5, 4, 4, 4.5, 4.5, 4.5, 5, 5, 5.5, 6, 7, 7.5, 7.5, 7, 5.5,
)  # fmt: skip
_EVENT_HOURS = Weighted(list(enumerate(_HOUR_WEIGHTS)))
_ENTRY = Weighted([("C5", 45), ("SEMUJERES", 20), ("FGJ", 15), ("SEDESA", 10), ("LINEA", 10)])
_SERVICES = Weighted([("psicologica", 50), ("juridica", 30), ("social", 20)])
_CALLERS = ("familiar", "vecino", "anonimo")
_SESSION_SPREAD = (1, 3, 5)

RELATION_CODE = {
    "esposo": "pareja", "concubino": "pareja", "pareja": "pareja",
    "ex_pareja": "expareja", "ex_esposo": "expareja", "ex_concubino": "expareja",
    "ex_novio": "expareja", "novio": "novio",
    "padre": "familiar", "padrastro": "familiar", "hermano": "familiar", "hijo": "familiar",
    "tio": "familiar", "primo": "familiar", "suegro": "familiar", "cunado": "familiar",
    "madre": "familiar", "suegra": "familiar", "hermana": "familiar", "hija": "familiar",
    "conocido": "conocido", "vecino": "conocido", "amigo": "conocido", "vecina": "conocido",
    "conocida": "conocido", "companero_trabajo": "companero", "companero_escuela": "companero",
    "companera_trabajo": "companero", "desconocido": "desconocido", "otro": "otro",
}  # fmt: skip


def event_minute(rng: Random, day: int) -> int:
    """A minute on relative day ``day``, at an hour typical of violent events."""
    return day * DAY + _EVENT_HOURS.draw(rng) * HOUR + int(rng.random() * 60)


def office_minute(rng: Random, day: int) -> int:
    return day * DAY + (9 + int(rng.random() * 9)) * HOUR + int(rng.random() * 60)


def _modalities(rng: Random, relation: str) -> list[str]:
    code = RELATION_CODE[relation]
    if code in {"pareja", "expareja", "familiar"} or (code == "novio" and rng.random() < 0.5):
        found = ["familiar"]
    elif code == "companero":
        found = ["laboral_docente"]
    elif code == "otro":
        found = ["institucional" if rng.random() < 0.5 else "comunidad"]
    else:
        found = ["comunidad"]
    if rng.random() < 0.06:
        found.append("digital")
    if rng.random() < 0.005:
        found.append("politica")
    return found


def ordinary_violence(rng: Random, inc: Incident, relation: str) -> None:
    """Types, modality and weapons of an incident of a woman whose violence does not escalate."""
    code = RELATION_CODE[relation]
    partner = code in {"pareja", "expareja", "novio"}
    types = []
    if rng.random() < 0.85:
        types.append("psicologica")
    if rng.random() < 0.38:
        types.append("fisica")
    if rng.random() < (0.25 if code in {"conocido", "desconocido"} else 0.07):
        types.append("sexual")
    if partner and rng.random() < 0.14:
        types.append("economica")
    if rng.random() < 0.07:
        types.append("patrimonial")
    if partner and rng.random() < 0.05:
        types.append("vicaria")
    if rng.random() < 0.02:
        types.append("otra")
    if not types:
        types.append("psicologica")
    weapons = []
    roll = rng.random()
    if "fisica" in types:
        if roll < 0.12:
            weapons.append("objeto")
        elif roll < 0.17:
            weapons.append("arma_blanca")
        elif roll < 0.19:
            weapons.append("arma_fuego")
    elif roll < 0.02:
        weapons.append("arma_fuego")  # threatened with a gun
    inc.types, inc.weapons = tuple(types), tuple(weapons)
    inc.modalities = tuple(_modalities(rng, relation))


def escalating_violence(rng: Random, inc: Incident, stage: int) -> None:
    """Stage 0..3 climbs psychological → physical → with objects → sexual and knives; stage 4
    (the last incident) is a femicidal attack with a knife or a gun."""
    if stage == 0:
        types = ["psicologica"] + (["economica"] if rng.random() < 0.3 else [])
        weapons: list[str] = []
    elif stage == 1:
        types, weapons = ["psicologica", "fisica"], []
    elif stage == 2:
        types, weapons = ["psicologica", "fisica"], ["objeto"]
    elif stage == 3:
        types, weapons = ["psicologica", "fisica", "sexual"], ["arma_blanca"]
    else:
        types = ["psicologica", "fisica"] + (["sexual"] if rng.random() < 0.3 else [])
        weapons = ["arma_fuego" if rng.random() < 0.5 else "arma_blanca"]
    inc.types, inc.weapons = tuple(types), tuple(weapons)
    inc.modalities = ("familiar", "feminicida") if stage == 4 else ("familiar",)
    inc.final = stage == 4


def assess(inc: Incident, rng: Random) -> None:
    """Severity, the risk an assessor would find, and the crime a prosecutor would open."""
    inc.severity = sev = severity(inc.types, inc.weapons, inc.modalities)
    if sev <= 1:
        inc.risk = "no_apreciado" if rng.random() < 0.15 else "bajo"
    elif sev == 2:
        inc.risk = "medio" if rng.random() < 0.4 else "bajo"
    elif sev == 3:
        inc.risk = "medio"
    elif sev <= 5:
        inc.risk = "alto"
    else:
        inc.risk = "extremo"
    types = inc.types
    if inc.final:
        inc.crime = "feminicidio_tentativa"
    elif "sexual" in types:
        inc.crime = "violacion" if rng.random() < 0.6 else "abuso_sexual"
    elif "fisica" in types and inc.weapons:
        inc.crime = "lesiones"
    elif "familiar" in inc.modalities:
        inc.crime = "violencia_familiar"
    elif "economica" in types:
        inc.crime = "incumplimiento_alimentario"
    elif "patrimonial" in types:
        inc.crime = "dano_propiedad"
    else:
        inc.crime = "amenazas"


def apply_calendar(inc: Incident) -> None:
    """Drop catalog entries not yet in force on the incident's date (vicarious violence from
    January 2024, the digital modality from June 2021, the political one from April 2020)."""
    day = day_of(inc.ts)
    if day < VICARIA_FROM and "vicaria" in inc.types:
        inc.types = tuple(t for t in inc.types if t != "vicaria") or ("psicologica",)
    if day < DIGITAL_FROM and "digital" in inc.modalities:
        inc.modalities = tuple(m for m in inc.modalities if m != "digital") or ("comunidad",)
    if day < POLITICA_FROM and "politica" in inc.modalities:
        inc.modalities = tuple(m for m in inc.modalities if m != "politica") or ("comunidad",)
    inc.severity = severity(inc.types, inc.weapons, inc.modalities)


ANSWER_P = 0.72  # she answers a follow-up call (escalating women: less and less, see story)
BREACH_P, BREACH_P_ESCALATING = 0.04, 0.45  # the aggressor breaks her order (once)
RELEASE_P, RELEASE_P_ESCALATING = 0.25, 0.6  # an arrested, prosecuted aggressor is released
LEAVE_SHARE = 0.2  # of those: a leave from prison (permiso de salida) instead of a release
BREACH_COMPLAINT_P = 0.4  # a breach the police attended also becomes a complaint


class _Cascade:
    def __init__(self, woman: Person, inc: Incident) -> None:
        self.woman = woman
        self.inc = inc
        self.records: list[Record] = []

    def add(self, agency: str, kind: str, ts: int, extra: dict[str, Any]) -> Record:
        record = Record(agency, kind, ts, self.woman, self.inc, extra)
        self.records.append(record)
        return record


def cascade(
    rng: Random,
    woman: Person,
    inc: Incident,
    window_end: int,
    escalating: bool,
    answer_p: float = ANSWER_P,
) -> list[Record]:
    """The records one incident leaves, in rough time order. Follow-ups (sessions, calls, a
    breach of her order, the aggressor's release) stay before ``window_end`` (the next
    incident) so that an incident's records are contiguous. ``answer_p``: the chance she
    answers a follow-up call."""
    out = _Cascade(woman, inc)
    arrest = False
    physical = "fisica" in inc.types or "sexual" in inc.types
    grave = len(inc.weapons) > 0 or "sexual" in inc.types or inc.final
    entry = "C5" if inc.final else _ENTRY.draw(rng)
    if entry == "SEDESA" and not physical:
        entry = "C5"
    t = inc.ts
    complaint_p = 0.3 + (0.2 if grave else 0) + (0.1 if escalating else 0)
    if entry == "C5":
        t_call = t + int(rng.random() * 20)
        caller = "victima" if rng.random() < 0.55 else _CALLERS[int(rng.random() * 3)]
        units = 1 + int(rng.random() * (3 if grave else 2))
        out.add("C5", "emergency_call", t_call, {"units": units, "caller": caller})
        if inc.final or rng.random() < 0.75:
            arrest = inc.final or rng.random() < (0.35 if grave else 0.15)
            when = t_call + 15 + int(rng.random() * 75)
            out.add("SSC", "police_intervention", when, {"arrest": arrest})
            if arrest:
                complaint_p += 0.4
    elif entry == "FGJ":
        complaint_p = 1.0
    if inc.final:
        complaint_p = 1.0
    if physical and entry != "SEDESA":
        sedesa_p = 1.0 if inc.final else (0.6 if "sexual" in inc.types else 0.22)
        if inc.weapons:
            sedesa_p = max(sedesa_p, 0.5)
        if rng.random() < sedesa_p:
            when = t + 40 + int(rng.random() * 600)
            out.add("SEDESA", "medical_attention", when, {"mp": rng.random() < 0.7})
    elif entry == "SEDESA":
        out.add("SEDESA", "medical_attention", t + 30 + int(rng.random() * 900), {"mp": True})
    after = t + DAY
    order = None
    if rng.random() < complaint_p:
        when = t + 2 * HOUR + int(rng.random() * 70 * HOUR)
        complaint = out.add("FGJ", "complaint", when, {})
        order_p = 1.0 if inc.final else 0.25 + 0.1 * min(inc.severity, 5)
        if rng.random() < order_p:
            issued = when + 30 + int(rng.random() * 200)  # within four hours
            extra = {
                "complaint": complaint,
                "days": 60 if rng.random() < 0.85 else 90,  # valid from the day it is issued
                "type": "administrativa" if rng.random() < 0.7 else "judicial",
            }
            order = out.add("FGJ", "protection_order", issued, extra)
            if rng.random() < (BREACH_P_ESCALATING if escalating else BREACH_P):
                _breach(rng, out, order, window_end)
        if arrest and rng.random() < (RELEASE_P_ESCALATING if escalating else RELEASE_P):
            _release(rng, out, complaint, window_end)
        after = when + DAY
    sessions_p = 1.0 if entry == "SEMUJERES" else (0.55 if order else 0.3)
    if not inc.final and rng.random() < sessions_p:
        day = after // DAY + int(rng.random() * 10)
        for number in range(1 + int(rng.random() * _SESSION_SPREAD[int(rng.random() * 3)])):
            when = office_minute(rng, day)
            if when >= window_end:
                break
            service = "psicologica" if number == 0 and rng.random() < 0.5 else _SERVICES.draw(rng)
            out.add("SEMUJERES", "service_session", when, {"service": service})
            day += 5 + int(rng.random() * 10)
    if entry == "LINEA":
        when = t + int(rng.random() * 2 * DAY)
        out.add("LINEA", "followup_call", when, {"answered": True, "call": "entrante"})
    if order or inc.risk in {"alto", "extremo"} or (entry == "LINEA" and rng.random() < 0.5):
        day = after // DAY + 3 + int(rng.random() * 5)
        for _ in range(1 + int(rng.random() * 3)):
            when = office_minute(rng, day)
            if when >= window_end:
                break
            answered = rng.random() < answer_p
            out.add("LINEA", "followup_call", when, {"answered": answered, "call": "seguimiento"})
            day += 7 + int(rng.random() * 14)
    return out.records


def _breach(rng: Random, out: _Cascade, order: Record, window_end: int) -> None:
    """The aggressor breaks her protection order: the police attend (an intervention flagged
    as a breach), and she sometimes files a complaint for it. Always while the order is in
    force, at least two days after it was issued, before the next incident."""
    valid_days = int(order.extra["days"])
    when = order.ts + 2 * DAY + int(rng.random() * (valid_days - 3) * DAY)
    if when >= window_end:
        return
    out.add("SSC", "police_intervention", when, {"arrest": rng.random() < 0.3, "breach": True})
    if rng.random() < BREACH_COMPLAINT_P:
        later = when + 2 * HOUR + int(rng.random() * 20 * HOUR)
        if later < window_end and later < order.ts + valid_days * DAY:
            out.add("FGJ", "complaint", later, {"breach": True})


def _release(rng: Random, out: _Cascade, complaint: Record, window_end: int) -> None:
    """The prosecutor registers that the arrested aggressor was released (or is on leave from
    prison): one to ninety days after the complaint, before the next incident."""
    room = min(window_end - complaint.ts - 2 * DAY, 90 * DAY)
    if room <= 0:
        return
    day = (complaint.ts + DAY + int(rng.random() * room)) // DAY
    when = office_minute(rng, day)
    if when >= window_end:
        return
    event = "aggressor_leave" if rng.random() < LEAVE_SHARE else "aggressor_release"
    out.add("FGJ", "justice_event", when, {"event": event, "complaint": complaint})


def missing_report(rng: Random, woman: Person, inc: Incident, when: int) -> Record:
    """A relative reports her missing: a 911 call (60 %) or a report at the prosecutor's."""
    if rng.random() < 0.6:
        extra = {"event": "missing_report", "caller": "familiar", "units": 1}
        return Record("C5", "emergency_call", when, woman, inc, extra)
    return Record("FGJ", "justice_event", office_minute(rng, when // DAY), woman, inc,
                  {"event": "missing_report"})  # fmt: skip
