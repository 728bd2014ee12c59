"""Places: Mexico City's alcaldías (INEGI codes, population weights), some of their colonias,
neighbouring municipalities of the State of Mexico, and states of birth for the CURP."""

from __future__ import annotations

from typing import NamedTuple


class Alcaldia(NamedTuple):
    code: str
    name: str
    weight: float  # population in thousands (2020 census, rounded)
    colonias: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("|") if p.strip())


ALCALDIAS: tuple[Alcaldia, ...] = (
    Alcaldia(
        "09002",
        "Azcapotzalco",
        432,
        _split(
            "Centro de Azcapotzalco | San Álvaro | El Rosario | Clavería | Santa María Malinalco"
            " | Pro Hogar | Nueva Santa María | San Juan Tlihuaca"
        ),
    ),
    Alcaldia(
        "09003",
        "Coyoacán",
        614,
        _split(
            "Pedregal de Santo Domingo | Ajusco | Santa Úrsula Coapa | CTM Culhuacán | Del Carmen"
            " | Copilco el Alto | Los Reyes | San Francisco Culhuacán"
        ),
    ),
    Alcaldia(
        "09004",
        "Cuajimalpa de Morelos",
        217,
        _split(
            "Cuajimalpa | San Mateo Tlaltenango | Contadero | El Yaqui | Navidad"
            " | San Lorenzo Acopilco | Lomas de Vista Hermosa"
        ),
    ),
    Alcaldia(
        "09005",
        "Gustavo A. Madero",
        1173,
        _split(
            "San Felipe de Jesús | Cuautepec Barrio Alto | Cuautepec Barrio Bajo | Lindavista"
            " | Gabriel Hernández | Juan González Romero | Campestre Aragón | Martín Carrera"
            " | Guadalupe Tepeyac | La Pradera"
        ),
    ),
    Alcaldia(
        "09006",
        "Iztacalco",
        404,
        _split(
            "Agrícola Oriental | Pantitlán | Ramos Millán | Infonavit Iztacalco | Granjas México"
            " | Juventino Rosas | Santa Anita"
        ),
    ),
    Alcaldia(
        "09007",
        "Iztapalapa",
        1835,
        _split(
            "Santa Cruz Meyehualco | Desarrollo Urbano Quetzalcóatl | San Lorenzo Tezonco"
            " | Ejército de Oriente | Santa Martha Acatitla | San Miguel Teotongo"
            " | Lomas de Zaragoza | Cerro de la Estrella | Juan Escutia | Santa María Aztahuacán"
            " | Consejo Agrarista Mexicano | Buenavista"
        ),
    ),
    Alcaldia(
        "09008",
        "La Magdalena Contreras",
        247,
        _split(
            "San Jerónimo Lídice | El Tanque | Lomas Quebradas | San Bernabé Ocotepec"
            " | Barranca Seca | La Cruz | Pueblo Nuevo Alto"
        ),
    ),
    Alcaldia(
        "09009",
        "Milpa Alta",
        152,
        _split(
            "Villa Milpa Alta | San Antonio Tecómitl | San Pedro Atocpan | San Salvador Cuauhtenco"
            " | San Pablo Oztotepec | Santa Ana Tlacotenco"
        ),
    ),
    Alcaldia(
        "09010",
        "Álvaro Obregón",
        759,
        _split(
            "Jalalpa | Olivar del Conde | Santa Fe | Tetelpan | Las Águilas | San Ángel"
            " | Presidentes | Golondrinas | La Presa"
        ),
    ),
    Alcaldia(
        "09011",
        "Tláhuac",
        392,
        _split(
            "San Francisco Tlaltenco | Zapotitla | Del Mar | La Nopalera | San Juan Ixtayopan"
            " | Santa Catarina Yecahuízotl | Los Olivos"
        ),
    ),
    Alcaldia(
        "09012",
        "Tlalpan",
        699,
        _split(
            "San Miguel Ajusco | Miguel Hidalgo | Santa Úrsula Xitla | Pedregal de San Nicolás"
            " | Héroes de Padierna | Isidro Fabela | Tlalpan Centro | Lomas de Padierna"
        ),
    ),
    Alcaldia(
        "09013",
        "Xochimilco",
        442,
        _split(
            "Santiago Tepalcatlalpan | San Gregorio Atlapulco | Santa Cruz Acalpixca | Barrio 18"
            " | San Mateo Xalpa | Ampliación Tepepan | Santa María Nativitas"
        ),
    ),
    Alcaldia(
        "09014",
        "Benito Juárez",
        434,
        _split(
            "Narvarte Poniente | Del Valle Centro | Portales Norte | Álamos | Santa Cruz Atoyac"
            " | General Pedro María Anaya | Nápoles | Postal"
        ),
    ),
    Alcaldia(
        "09015",
        "Cuauhtémoc",
        545,
        _split(
            "Centro | Morelos | Doctores | Guerrero | Obrera | Buenavista | Roma Norte"
            " | Santa María la Ribera | Peralvillo | Tránsito"
        ),
    ),
    Alcaldia(
        "09016",
        "Miguel Hidalgo",
        414,
        _split(
            "Tacubaya | Pensil Norte | Anáhuac | Argentina Antigua | América | Escandón"
            " | Daniel Garza | Tlaxpana"
        ),
    ),
    Alcaldia(
        "09017",
        "Venustiano Carranza",
        443,
        _split(
            "Moctezuma 2a Sección | Morelos | Jardín Balbuena | Romero Rubio | Pensador Mexicano"
            " | Aquiles Serdán | El Parque | Peñón de los Baños"
        ),
    ),
)

ALCALDIA_BY_CODE = {a.code: a for a in ALCALDIAS}

# Where some women live although they are attended in Mexico City (INEGI codes, State of
# Mexico). Their alcaldía is "" in the canonical record.
OUTSIDE = (
    Alcaldia("15058", "Nezahualcóyotl", 1, _split("Benito Juárez | Metropolitana | El Sol")),
    Alcaldia(
        "15033",
        "Ecatepec de Morelos",
        1,
        _split("Ciudad Azteca | San Agustín | Jardines de Morelos"),
    ),
    Alcaldia("15031", "Chimalhuacán", 1, _split("San Agustín Atlapulco | Xochiaca | Santa Elena")),
    Alcaldia(
        "15104", "Tlalnepantla de Baz", 1, _split("Tlalnepantla Centro | Valle Ceylán | Caracoles")
    ),
    Alcaldia(
        "15057", "Naucalpan de Juárez", 1, _split("San Rafael Chamapa | El Molinito | Olímpica")
    ),
)

# CURP state codes with rough weights for people attended in Mexico City (DF dominates).
BIRTH_STATES = (
    ("DF", 78),
    ("MC", 7),
    ("PL", 2.5),
    ("VZ", 2),
    ("OC", 1.5),
    ("GR", 1.5),
    ("HG", 1.2),
    ("MN", 1),
    ("GT", 0.8),
    ("JC", 0.6),
    ("CS", 0.6),
    ("TL", 0.6),
    ("QT", 0.3),
    ("MS", 0.3),
    ("ZS", 0.2),
    ("SP", 0.2),
    ("TC", 0.2),
    ("YN", 0.1),
    ("NL", 0.1),
    ("CH", 0.1),
    ("NE", 0.5),
)

# Published list of four-letter words a CURP may not start with (RENAPO); the second letter
# is replaced by X when the rules would produce one of them.
_FORBIDDEN = """
    BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO
    FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI
    KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA
    MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO
    TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY
"""
FORBIDDEN_WORDS = frozenset(_FORBIDDEN.split())
