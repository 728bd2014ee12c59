"""SEMUJERES (women's centres), SEDESA (health, NOM-046) and LINEA (*765 line) rows."""

from __future__ import annotations

from violeta.synth import labels as L
from violeta.synth.corrupt import age_on
from violeta.synth.model import START_ORDINAL, Record
from violeta.synth.timeline import RELATION_CODE
from violeta.synth.writer_base import (
    Ctx,
    age_text,
    date_text,
    full_name,
    labels,
    narrative,
    phone_dashed,
    phone_pairs,
    phone_paren,
    when,
)
from violeta.synth.writers_a import recorded_risk

SEMUJERES_HEADER = (
    "ID_ATENCION", "FOLIO_CRU", "FECHA_ATENCION", "HORA_ATENCION", "UNIDAD_ATENCION",
    "TIPO_ATENCION", "TIPOS_VIOLENCIA", "MODALIDADES", "USO_ARMAS", "NIVEL_RIESGO", "NOMBRE",
    "PRIMER_APELLIDO", "SEGUNDO_APELLIDO", "FECHA_NACIMIENTO", "EDAD", "CURP", "TELEFONO",
    "DOMICILIO", "COLONIA", "ALCALDIA", "NOMBRE_AGRESOR", "PRIMER_APELLIDO_AGRESOR",
    "SEGUNDO_APELLIDO_AGRESOR", "EDAD_AGRESOR", "SEXO_AGRESOR", "VINCULO", "OBSERVACIONES",
)  # fmt: skip


def semujeres_unit(record: Record) -> str:
    """The LUNA she goes to: the one of the alcaldía she lives in (or where it happened)."""
    home = record.woman.homes[record.inc.home]
    return record.inc.alcaldia if home.outside else home.alcaldia


def semujeres_row(record: Record, ctx: Ctx) -> list[str]:
    inc, extra = record.inc, record.extra
    date, time = when(record.ts)
    v = ctx.victim(record)
    a = ctx.aggressor(record, known=0.85)
    aggressor = ["", "", "", "", ""]
    if a is not None and inc.aggressor is not None:
        sex = "Hombre" if inc.aggressor.sex == "H" else "Mujer"
        aggressor = [a.given, a.first, a.second, age_text(a.age), sex]
    ctx.note_truth("SEMUJERES", record, a is not None)
    opening = f"Sesión de atención {L.SERVICES[extra['service']].lower()}; refiere"
    return [
        record.rid, extra["cru"], date, time, L.LUNA[semujeres_unit(record)],
        L.SERVICES[extra["service"]], labels(inc.types, L.TYPES_TITLE, ", "),
        labels(inc.modalities, L.MODALITIES_TITLE, ", "),
        labels(inc.weapons, L.WEAPONS_TITLE, ", ") or L.NO_WEAPON["SEMUJERES"],
        L.RISK_SEMUJERES[recorded_risk(ctx, inc.risk)], v.given, v.first, v.second,
        date_text(v.birth), age_text(v.age), v.curp, phone_dashed(v.phone), v.street, v.colonia,
        L.ALCALDIA_SEMUJERES[v.alcaldia], *aggressor, L.RELATION_SEMUJERES[inc.relation],
        narrative(record, RELATION_CODE[inc.relation], opening),
    ]  # fmt: skip


SEDESA_HEADER = (
    "FOLIO", "CLUES", "FECHA_ATENCION", "HORA_ATENCION", "NOMBRE", "PRIMER_APELLIDO",
    "SEGUNDO_APELLIDO", "FECHA_NACIMIENTO", "EDAD", "SEXO", "CURP", "TELEFONO", "DOMICILIO",
    "COLONIA_RESIDENCIA", "MUNICIPIO_RESIDENCIA", "ALCALDIA_OCURRENCIA", "TIPO_VIOLENCIA",
    "AGENTE_LESION", "RELACION_AGRESOR", "SEXO_AGRESOR", "EDAD_AGRESOR", "AVISO_MP", "DESTINO",
    "NOTA_MEDICA",
)  # fmt: skip
_AGENT_ORDER = ("arma_fuego", "arma_blanca", "objeto", "otra")


def sedesa_row(record: Record, ctx: Ctx) -> list[str]:
    inc, extra = record.inc, record.extra
    date, time = when(record.ts)
    v = ctx.victim(record)
    weapon = next((w for w in _AGENT_ORDER if w in inc.weapons), "")
    if weapon:
        agent = L.WEAPONS_SEDESA[weapon]
    else:
        agent = "PARTES DEL CUERPO" if "fisica" in inc.types else "NO APLICA"
    aggressor = inc.aggressor
    aggressor_sex, aggressor_age = "", ""
    if aggressor is not None:
        aggressor_sex = "M" if aggressor.sex == "H" else "F"  # NOM-046: M masculino, F femenino
        if not aggressor.anonymous and ctx.rng.random() < 0.7:
            aggressor_age = str(age_on(aggressor.birth, START_ORDINAL + record.ts // 1440))
    destination = (
        "REFUGIO"
        if inc.risk == "extremo"
        else ctx.pick(("DOMICILIO", "DOMICILIO", "MINISTERIO PÚBLICO", "HOSPITALIZACIÓN"))
    )
    ctx.note_truth("SEDESA", record, False)
    clues = f"DFSSA{int(inc.alcaldia[2:]) * 731 % 100000:05d}"
    return [
        record.rid, clues, date, time, v.given.upper(), v.first.upper(), v.second.upper(),
        date_text(v.birth), age_text(v.age), "F", v.curp, phone_paren(v.phone),
        v.street.upper(), v.colonia.upper(), L.ALCALDIA_UPPER[v.alcaldia],
        L.ALCALDIA_UPPER[inc.alcaldia], labels(inc.types, L.TYPES_SEDESA, "|"), agent,
        L.RELATION_SEDESA[inc.relation], aggressor_sex, aggressor_age,
        "SI" if extra["mp"] else "NO", destination,
        narrative(record, RELATION_CODE[inc.relation], "Paciente que refiere").upper(),
    ]  # fmt: skip


LINEA_HEADER = (
    "ID_LLAMADA", "FECHA", "HORA", "TIPO_LLAMADA", "CONTESTADA", "NOMBRE_USUARIA", "TELEFONO",
    "CURP", "EDAD", "ALCALDIA", "RIESGO", "VIOLENCIA_REPORTADA", "COMENTARIOS",
)  # fmt: skip


def linea_row(record: Record, ctx: Ctx) -> list[str]:
    inc, extra = record.inc, record.extra
    date, time = when(record.ts)
    v = ctx.victim(record)
    answered = extra["answered"]
    name = v.given if ctx.only_given() else full_name(v.given, v.first, v.second)
    if answered:
        risk = L.RISK_LINEA[recorded_risk(ctx, inc.risk)]
        types = labels(inc.types, L.TYPES_LINEA, ", ")
        comment = narrative(record, RELATION_CODE[inc.relation], "Usuaria refiere")
    else:
        risk, types = "", ""
        comment = ctx.pick(("No contestó.", "Buzón de voz.", "Número fuera de servicio."))
    ctx.note_truth("LINEA", record, False)
    return [
        record.rid, date, time, "Entrante" if extra["call"] == "entrante" else "Seguimiento",
        "Sí" if answered else "No", name, phone_pairs(v.phone), v.curp, age_text(v.age),
        L.ALCALDIA_LINEA[v.alcaldia], risk, types, comment,
    ]  # fmt: skip
