"""Each agency's own words for the catalogs: how its export spells a code.

The shipped mappings (``violeta/intake/mappings/*.json``) hold the inverse tables; the tests
check that every label written here is understood there.
"""

from __future__ import annotations

from violeta.synth.curp import plain_upper
from violeta.synth.places_data import ALCALDIAS, OUTSIDE

TYPES_UPPER = {
    "psicologica": "PSICOLÓGICA", "fisica": "FÍSICA", "sexual": "SEXUAL",
    "economica": "ECONÓMICA", "patrimonial": "PATRIMONIAL", "vicaria": "VICARIA",
    "otra": "OTRA",
}  # fmt: skip
TYPES_TITLE = {k: v.capitalize() for k, v in TYPES_UPPER.items()}
TYPES_C5 = {k: plain_upper(v) for k, v in TYPES_UPPER.items()}
TYPES_LINEA = {k: v.lower() for k, v in TYPES_UPPER.items()}
TYPES_SEDESA = {
    "psicologica": "VIOLENCIA PSICOLÓGICA", "fisica": "VIOLENCIA FÍSICA",
    "sexual": "VIOLENCIA SEXUAL", "economica": "VIOLENCIA ECONÓMICA/PATRIMONIAL",
    "patrimonial": "VIOLENCIA ECONÓMICA/PATRIMONIAL", "vicaria": "OTRA", "otra": "OTRA",
}  # fmt: skip

# C5 records one incident label; the femicidal one wins over the others.
INCIDENT_C5 = {
    "feminicida": "TENTATIVA DE FEMINICIDIO", "familiar": "VIOLENCIA FAMILIAR",
    "comunidad": "VIOLENCIA DE GENERO EN VIA PUBLICA",
    "laboral_docente": "HOSTIGAMIENTO O ACOSO LABORAL/ESCOLAR",
    "digital": "AMENAZAS POR MEDIOS DIGITALES", "institucional": "VIOLENCIA INSTITUCIONAL",
    "politica": "VIOLENCIA POLITICA",
}  # fmt: skip
MODALITIES_UPPER = {
    "familiar": "FAMILIAR", "laboral_docente": "LABORAL Y DOCENTE", "comunidad": "EN LA COMUNIDAD",
    "institucional": "INSTITUCIONAL", "politica": "POLÍTICA", "digital": "DIGITAL Y MEDIÁTICA",
    "feminicida": "FEMINICIDA",
}  # fmt: skip
MODALITIES_TITLE = {k: v.capitalize() for k, v in MODALITIES_UPPER.items()}

WEAPONS_C5 = {
    "arma_fuego": "ARMA DE FUEGO", "arma_blanca": "ARMA BLANCA", "objeto": "OBJETO CONTUNDENTE",
    "otra": "OTRA",
}  # fmt: skip
WEAPONS_FGJ = {"arma_fuego": "ARMA DE FUEGO", "arma_blanca": "ARMA BLANCA", "objeto": "OBJETO",
               "otra": "OTRA"}  # fmt: skip
WEAPONS_TITLE = {k: v.capitalize() for k, v in WEAPONS_FGJ.items()}
WEAPONS_SEDESA = {
    "arma_fuego": "ARMA DE FUEGO", "arma_blanca": "ARMA PUNZOCORTANTE",
    "objeto": "OBJETO CONTUNDENTE", "otra": "OTRO",
}  # fmt: skip
NO_WEAPON = {"C5": "NINGUNA", "SSC": "Ninguna", "FGJ": "SIN ARMA", "SEMUJERES": "No"}

RISK_UPPER = {
    "no_apreciado": "NO APRECIADO", "bajo": "BAJO", "medio": "MEDIO", "alto": "ALTO",
    "extremo": "EXTREMO",
}  # fmt: skip
RISK_SEMUJERES = {
    "no_apreciado": "Sin riesgo aparente", "bajo": "Bajo", "medio": "Medio", "alto": "Alto",
    "extremo": "Extremo",
}  # fmt: skip
RISK_LINEA = {k: "Riesgo " + v.lower() for k, v in RISK_UPPER.items()}

MISSING_C5 = "PERSONA DESAPARECIDA"  # a 911 incident of its own, not a modality
FGJ_REGISTRY = {
    "complaint": "CARPETA DE INVESTIGACIÓN", "protection_order": "ORDEN DE PROTECCIÓN",
    "order_breach": "DENUNCIA POR INCUMPLIMIENTO DE ORDEN DE PROTECCIÓN",
    "aggressor_release": "LIBERACIÓN DEL IMPUTADO",
    "aggressor_leave": "PERMISO DE SALIDA DEL IMPUTADO",
    "missing_report": "REPORTE DE PERSONA DESAPARECIDA",
}  # fmt: skip
CRIMES = {
    "violencia_familiar": "VIOLENCIA FAMILIAR", "lesiones": "LESIONES DOLOSAS",
    "amenazas": "AMENAZAS", "abuso_sexual": "ABUSO SEXUAL", "violacion": "VIOLACIÓN",
    "feminicidio_tentativa": "FEMINICIDIO EN GRADO DE TENTATIVA",
    "incumplimiento_alimentario": "INCUMPLIMIENTO DE OBLIGACIONES ALIMENTARIAS",
    "dano_propiedad": "DAÑO A LA PROPIEDAD",
    "desobediencia": "DESOBEDIENCIA A UN MANDATO LEGÍTIMO DE AUTORIDAD",
}  # fmt: skip
MEASURES = {
    "no_acercarse": "PROHIBICIÓN DE ACERCARSE", "no_comunicarse": "PROHIBICIÓN DE COMUNICARSE",
    "salida_domicilio": "SALIDA DEL DOMICILIO", "vigilancia_policial": "RONDINES POLICIALES",
    "entrega_armas": "ENTREGA DE ARMAS", "refugio": "CANALIZACIÓN A REFUGIO",
}  # fmt: skip
SERVICES = {"psicologica": "Psicológica", "juridica": "Jurídica", "social": "Trabajo social"}

# Relationship words (see people.py) as each agency writes them.
RELATION_C5 = {
    "esposo": "ESPOSO", "concubino": "CONCUBINO", "pareja": "PAREJA", "ex_pareja": "EX PAREJA",
    "ex_esposo": "EX ESPOSO", "ex_concubino": "EX PAREJA", "novio": "NOVIO",
    "ex_novio": "EX NOVIO", "padre": "PADRE", "padrastro": "PADRASTRO", "hermano": "HERMANO",
    "hijo": "HIJO", "tio": "FAMILIAR", "primo": "FAMILIAR", "suegro": "FAMILIAR",
    "cunado": "FAMILIAR", "madre": "MADRE", "suegra": "FAMILIAR", "hermana": "HERMANA",
    "hija": "HIJA", "conocido": "CONOCIDO", "amigo": "CONOCIDO", "conocida": "CONOCIDO",
    "vecino": "VECINO", "vecina": "VECINO", "companero_trabajo": "COMPAÑERO DE TRABAJO",
    "companera_trabajo": "COMPAÑERO DE TRABAJO", "companero_escuela": "COMPAÑERO DE ESCUELA",
    "desconocido": "DESCONOCIDO", "otro": "OTRO",
}  # fmt: skip
RELATION_SSC = {
    **{k: v.replace("COMPAÑERO", "COMPAÑERO(A)") for k, v in RELATION_C5.items()},
    "esposo": "CÓNYUGE", "pareja": "PAREJA SENTIMENTAL", "novio": "PAREJA SENTIMENTAL",
    "ex_esposo": "EX PAREJA", "ex_novio": "EX PAREJA", "tio": "OTRO FAMILIAR",
    "primo": "OTRO FAMILIAR", "suegro": "OTRO FAMILIAR", "cunado": "OTRO FAMILIAR",
    "suegra": "OTRO FAMILIAR", "desconocido": "NINGUNO",
}  # fmt: skip
RELATION_FGJ = {
    **RELATION_SSC,
    "concubino": "CONCUBINO(A)", "pareja": "PAREJA", "novio": "NOVIO(A)",
    "ex_novio": "EX NOVIO(A)", "hermano": "HERMANO(A)", "hermana": "HERMANO(A)",
    "hijo": "HIJO(A)", "hija": "HIJO(A)", "conocido": "CONOCIDO(A)", "amigo": "CONOCIDO(A)",
    "conocida": "CONOCIDO(A)", "vecino": "VECINO(A)", "vecina": "VECINO(A)",
    "desconocido": "DESCONOCIDO(A)",
}  # fmt: skip
RELATION_SEMUJERES = {
    "esposo": "Esposo", "concubino": "Concubino", "pareja": "Pareja", "ex_pareja": "Expareja",
    "ex_esposo": "Exesposo", "ex_concubino": "Expareja", "novio": "Novio",
    "ex_novio": "Exnovio", "padre": "Padre", "padrastro": "Padrastro", "hermano": "Hermano",
    "hijo": "Hijo", "tio": "Tío", "primo": "Primo", "suegro": "Suegro", "cunado": "Cuñado",
    "madre": "Madre", "suegra": "Suegra", "hermana": "Hermana", "hija": "Hija",
    "conocido": "Conocido", "amigo": "Amigo", "conocida": "Conocida", "vecino": "Vecino",
    "vecina": "Vecina", "companero_trabajo": "Compañero de trabajo",
    "companera_trabajo": "Compañera de trabajo", "companero_escuela": "Compañero de escuela",
    "desconocido": "Desconocido", "otro": "Otro",
}  # fmt: skip
RELATION_SEDESA = {
    **{k: "CÓNYUGE/PAREJA/NOVIO" for k in ("esposo", "concubino", "pareja", "novio")},
    **{k: "EX PAREJA" for k in ("ex_pareja", "ex_esposo", "ex_concubino", "ex_novio")},
    **{k: "OTRO PARIENTE" for k in ("tio", "primo", "suegro", "cunado", "suegra")},
    **{k: "CONOCIDO(A) SIN PARENTESCO" for k in (
        "conocido", "amigo", "conocida", "vecino", "vecina", "companero_trabajo",
        "companera_trabajo", "companero_escuela")},
    "padre": "PADRE", "padrastro": "PADRASTRO", "madre": "MADRE", "hermano": "HERMANO(A)",
    "hermana": "HERMANO(A)", "hijo": "HIJO(A)", "hija": "HIJO(A)",
    "desconocido": "DESCONOCIDO(A)", "otro": "OTRO",
}  # fmt: skip

_NAMES = {a.code: a.name for a in (*ALCALDIAS, *OUTSIDE)}
ALCALDIA_C5 = {code: plain_upper(name) for code, name in _NAMES.items()}
ALCALDIA_TITLE = dict(_NAMES)
ALCALDIA_UPPER = {code: name.upper() for code, name in _NAMES.items()}
ALCALDIA_SEMUJERES = {
    code: (f"{name} (Edomex)" if code.startswith("15") else name) for code, name in _NAMES.items()
}
ALCALDIA_LINEA = {
    code: (f"Municipio {name}" if code.startswith("15") else f"Alcaldía {name}")
    for code, name in _NAMES.items()
}
LUNA = {a.code: f"LUNA {a.name}" for a in ALCALDIAS}
