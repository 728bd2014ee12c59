"""C5 (911 calls), SSC (police) and FGJ (prosecutor): rows as each agency exports them."""

from __future__ import annotations

from violeta.synth import labels as L
from violeta.synth.corrupt import strip_accents
from violeta.synth.curp import plain_upper
from violeta.synth.model import MINUTES_PER_DAY, START_ORDINAL, Record
from violeta.synth.timeline import RELATION_CODE
from violeta.synth.writer_base import (
    Ctx,
    age_text,
    date_text,
    day_text,
    full_name,
    labels,
    narrative,
    phone_spaced,
    when,
)

C5_HEADER = (
    "FOLIO", "FECHA_LLAMADA", "HORA_LLAMADA", "ALCALDIA", "COLONIA", "INCIDENTE",
    "TIPO_VIOLENCIA", "ARMA", "NOMBRE_VICTIMA", "EDAD_VICTIMA", "SEXO_VICTIMA",
    "TELEFONO_VICTIMA", "DIRECCION_VICTIMA", "QUIEN_REPORTA", "NOMBRE_AGRESOR",
    "RELACION_AGRESOR", "UNIDADES_ENVIADAS", "DESCRIPCION",
)  # fmt: skip
_MISSING_TEXT = "REPORTA FAMILIAR QUE LA USUARIA NO HA REGRESADO A SU DOMICILIO NI RESPONDE."


def c5_missing_row(record: Record, ctx: Ctx) -> list[str]:
    """A relative reports her missing: no violence, no aggressor, not her phone."""
    inc = record.inc
    date, time = when(record.ts)
    v = ctx.victim(record)
    name = v.given if ctx.only_given() else full_name(v.given, v.first, v.second)
    ctx.note_truth("C5", record, False)
    return [
        record.rid, date, time, L.ALCALDIA_C5[inc.alcaldia], plain_upper(inc.colonia),
        L.MISSING_C5, "", "NINGUNA", name.upper(), age_text(v.age), "MUJER", "",
        plain_upper(v.street), "FAMILIAR", "", "NO ESPECIFICA", "1", _MISSING_TEXT,
    ]  # fmt: skip


def c5_row(record: Record, ctx: Ctx) -> list[str]:
    inc, extra = record.inc, record.extra
    if extra.get("event") == "missing_report":
        return c5_missing_row(record, ctx)
    date, time = when(record.ts)
    v = ctx.victim(record)
    name = v.given if ctx.only_given() else full_name(v.given, v.first, v.second)
    caller = extra["caller"]
    by_her = caller == "victima"
    a = ctx.aggressor(record, known=0.45 if by_her else 0.2)
    aggressor = ""
    if a is not None:
        aggressor = a.given if ctx.only_given() else full_name(a.given, a.first, a.second)
    relation = L.RELATION_C5[inc.relation]
    if not by_her and ctx.rng.random() < 0.2:
        relation = "NO ESPECIFICA"
    incident = L.INCIDENT_C5["feminicida" if "feminicida" in inc.modalities else inc.modalities[0]]
    address = plain_upper(v.street) if by_her or ctx.rng.random() < 0.4 else ""
    ctx.note_truth("C5", record, a is not None)
    return [
        record.rid, date, time, L.ALCALDIA_C5[inc.alcaldia], plain_upper(inc.colonia), incident,
        labels(inc.types, L.TYPES_C5, "/"), labels(inc.weapons, L.WEAPONS_C5, "/") or "NINGUNA",
        name.upper(), age_text(v.age), "MUJER", v.phone if by_her else "", address,
        caller.upper(), aggressor.upper(), relation, str(extra["units"]),
        plain_upper(narrative(record, RELATION_CODE[inc.relation], "Reporta")),
    ]  # fmt: skip


SSC_HEADER = (
    "ID_IPH", "FECHA_INTERVENCION", "HORA_INTERVENCION", "ALCALDIA", "COLONIA",
    "TIPO_VIOLENCIA", "ARMA_OBJETO", "DETENIDO", "CANALIZADA_A", "VICTIMA_NOMBRE",
    "VICTIMA_AP_PATERNO", "VICTIMA_AP_MATERNO", "VICTIMA_EDAD", "VICTIMA_SEXO",
    "VICTIMA_TELEFONO", "VICTIMA_DOMICILIO", "PROBABLE_RESPONSABLE", "PR_EDAD", "PR_SEXO",
    "PARENTESCO", "NARRATIVA", "INCUMPLIMIENTO_ORDEN",
)  # fmt: skip
_BREACH_TEXT = (
    "Se atiende reporte por incumplimiento de orden de protección: el probable responsable "
    "se presentó en el domicilio de la víctima pese a la prohibición de acercarse."
)


def ssc_row(record: Record, ctx: Ctx) -> list[str]:
    inc = record.inc
    arrest = record.extra["arrest"]
    breach = record.extra.get("breach", False)
    date, time = when(record.ts)
    v = ctx.victim(record)
    a = ctx.aggressor(record, known=1.0 if arrest else 0.7)
    responsible, responsible_age, responsible_sex = "", "", ""
    if a is not None and inc.aggressor is not None:
        only = ctx.only_given()
        responsible = (a.given if only else full_name(a.given, a.first, a.second)).upper()
        responsible_age = age_text(a.age)
        responsible_sex = "HOMBRE" if inc.aggressor.sex == "H" else "MUJER"
    referral = "FGJ" if arrest else ctx.pick(("FGJ", "SEMUJERES", "SEDESA", "NINGUNA"))
    address = f"{v.street}, Col. {v.colonia}".upper() if ctx.rng.random() < 0.8 else ""
    ctx.note_truth("SSC", record, a is not None)
    text = narrative(record, RELATION_CODE[inc.relation], "Al arribo la víctima refiere")
    types, weapons = inc.types, inc.weapons
    if breach:  # he came near her, against the order: threats, no weapon
        text, types, weapons = _BREACH_TEXT, ("psicologica",), ()
    if arrest:
        text += " Se pone a disposición al probable responsable."
    return [
        record.rid, date, time, L.ALCALDIA_TITLE[inc.alcaldia], inc.colonia,
        labels(types, L.TYPES_TITLE, ", "),
        labels(weapons, L.WEAPONS_TITLE, ", ") or L.NO_WEAPON["SSC"],
        "SÍ" if arrest else "NO", referral, v.given.upper(), v.first.upper(), v.second.upper(),
        age_text(v.age), "MUJER", phone_spaced(v.phone), address, responsible,
        responsible_age, responsible_sex, L.RELATION_SSC[inc.relation], text,
        "SÍ" if breach else "NO",
    ]  # fmt: skip


FGJ_HEADER = (
    "ID_REGISTRO", "TIPO_REGISTRO", "CARPETA", "FECHA_INICIO", "HORA_INICIO", "FECHA_HECHOS",
    "DELITO", "ALCALDIA_HECHOS", "COLONIA_HECHOS", "TIPO_VIOLENCIA", "MODALIDAD", "ARMA",
    "NIVEL_RIESGO", "TIPO_ORDEN", "MEDIDAS", "VIGENCIA_INICIO", "VIGENCIA_FIN",
    "VICTIMA_NOMBRE", "VICTIMA_PRIMER_APELLIDO", "VICTIMA_SEGUNDO_APELLIDO",
    "VICTIMA_FECHA_NACIMIENTO", "VICTIMA_EDAD", "VICTIMA_SEXO", "VICTIMA_CURP",
    "VICTIMA_TELEFONO", "VICTIMA_DOMICILIO", "VICTIMA_COLONIA", "VICTIMA_ALCALDIA",
    "IMPUTADO_NOMBRE", "IMPUTADO_PRIMER_APELLIDO", "IMPUTADO_SEGUNDO_APELLIDO", "IMPUTADO_EDAD",
    "IMPUTADO_SEXO", "IMPUTADO_CURP", "RELACION_VICTIMA_IMPUTADO", "NARRATIVA",
)  # fmt: skip
_RISKS = ("no_apreciado", "bajo", "medio", "alto", "extremo")


def recorded_risk(ctx: Ctx, risk: str) -> str:
    """The level an assessor wrote: the true one, or one level off 20 % of the time."""
    index = _RISKS.index(risk)
    roll = ctx.rng.random()
    if roll < 0.1:
        index = max(1, index - 1)
    elif roll < 0.2:
        index = min(4, index + 1)
    return _RISKS[index]


def _measures(ctx: Ctx, record: Record) -> list[str]:
    inc = record.inc
    found = ["no_acercarse"]
    if ctx.rng.random() < 0.7:
        found.append("no_comunicarse")
    if RELATION_CODE[inc.relation] == "pareja" and ctx.rng.random() < 0.5:
        found.append("salida_domicilio")
    if inc.risk in {"alto", "extremo"}:
        found.append("vigilancia_policial")
    if "arma_fuego" in inc.weapons:
        found.append("entrega_armas")
    if inc.risk == "extremo" and ctx.rng.random() < 0.5:
        found.append("refugio")
    return found


_FGJ_TEXT = {
    "order_breach": "La denunciante refiere que el imputado incumplió la orden de protección.",
    "aggressor_release": "Se notifica a la víctima la libertad del imputado.",
    "aggressor_leave": "Se notifica a la víctima el permiso de salida del imputado.",
    "missing_report": "Familiar reporta que la víctima no ha regresado a su domicilio.",
}


def fgj_row(record: Record, ctx: Ctx) -> list[str]:
    inc, extra = record.inc, record.extra
    order = record.kind == "protection_order"
    event = "order_breach" if extra.get("breach") else extra.get("event", "")
    date, time = when(record.ts)
    v = ctx.victim(record)
    known = 0.0 if event == "missing_report" else 0.95
    a = ctx.aggressor(record, known=known, curp_share=0.25)
    aggressor = ["", "", "", "", "", ""]
    if a is not None and inc.aggressor is not None:
        sex = "MASCULINO" if inc.aggressor.sex == "H" else "FEMENINO"
        aggressor = [a.given, a.first, a.second, age_text(a.age), sex, a.curp]
    order_cols = ["", "", "", ""]
    types, modalities, weapons = inc.types, inc.modalities, inc.weapons
    risk = L.RISK_UPPER[recorded_risk(ctx, inc.risk)]
    kind = L.FGJ_REGISTRY[event or record.kind]
    if order:
        issued = START_ORDINAL + record.ts // MINUTES_PER_DAY
        facts, crime = "", ""
        order_cols = [
            "ADMINISTRATIVA" if extra["type"] == "administrativa" else "JUDICIAL",
            labels(_measures(ctx, record), L.MEASURES, "; "),
            day_text(issued), day_text(issued + extra["days"]),
        ]  # fmt: skip
        text = "Se emiten medidas de protección a favor de la víctima."
    elif record.kind == "justice_event":
        facts, crime, text = "", "", _FGJ_TEXT[event]
        types, modalities, weapons, risk = (), (), (), ""
    elif event == "order_breach":
        facts, crime, text = date, "desobediencia", _FGJ_TEXT[event]
        types, weapons = ("psicologica",), ()
    else:
        facts, crime = when(inc.ts)[0], inc.crime
        text = narrative(record, RELATION_CODE[inc.relation], "La denunciante refiere")
    ctx.note_truth("FGJ", record, a is not None)
    home_code = v.alcaldia
    return [
        record.rid, kind, extra["carpeta"], date, time, facts,
        L.CRIMES[crime] if crime else "", inc.alcaldia, inc.colonia.upper(),
        labels(types, L.TYPES_UPPER, "; "), labels(modalities, L.MODALITIES_UPPER, "; "),
        labels(weapons, L.WEAPONS_FGJ, "; ") or (L.NO_WEAPON["FGJ"] if types else ""),
        risk, *order_cols,
        v.given.upper(), v.first.upper(), v.second.upper(), date_text(v.birth), age_text(v.age),
        "FEMENINO", v.curp, v.phone, v.street.upper(), v.colonia.upper(), home_code,
        *(value.upper() for value in aggressor), L.RELATION_FGJ[inc.relation],
        strip_accents(text, True) if not ctx.accents else text,
    ]  # fmt: skip
