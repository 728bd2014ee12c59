"""Name tables: frequent Mexican names with rough weights, nicknames and particles.

Weights are per-mille shares of the population, rounded from published surname and given-name
frequency lists; they only need to give a realistic skew (a few very common surnames). Faker's
``es_MX`` lists are added as a long tail by :mod:`violeta.synth.pools`.
"""

from __future__ import annotations


def _weighted(text: str) -> list[tuple[str, float]]:
    """Parse ``"Name = weight | Name = weight"`` lines into pairs."""
    pairs = []
    for chunk in text.replace("\n", "|").split("|"):
        if chunk.strip():
            name, weight = chunk.split("=")
            pairs.append((name.strip(), float(weight)))
    return pairs


COMMON_SURNAMES = _weighted(
    """
    Hernández = 45 | García = 35 | Martínez = 30 | López = 29 | González = 27 | Pérez = 20
    Rodríguez = 19 | Sánchez = 18 | Ramírez = 17 | Cruz = 12 | Flores = 12 | Gómez = 11
    Morales = 9 | Vázquez = 9 | Reyes = 9 | Jiménez = 8 | Torres = 8 | Díaz = 8 | Gutiérrez = 7
    Ruiz = 7 | Mendoza = 7 | Aguilar = 7 | Ortiz = 6 | Moreno = 6 | Castillo = 6 | Romero = 6
    Álvarez = 5 | Méndez = 5 | Chávez = 5 | Rivera = 5 | Juárez = 5 | Ramos = 5 | Domínguez = 5
    Herrera = 5 | Medina = 5 | Castro = 4 | Vargas = 4 | Guzmán = 4 | Velázquez = 4 | Muñoz = 4
    Rojas = 4 | Contreras = 4 | Salazar = 4 | Luna = 4 | Ortega = 4 | Santiago = 4 | Guerrero = 4
    Estrada = 3 | Bautista = 3 | Cortés = 3 | Soto = 3 | Alvarado = 3 | Espinoza = 3 | Lara = 3
    Ávila = 3 | Ríos = 3 | Cervantes = 3 | Silva = 3 | Delgado = 3 | Vega = 3 | Márquez = 3
    Sandoval = 3 | Fernández = 3 | León = 3 | Carrillo = 3 | Mejía = 3 | Solís = 3 | Núñez = 3
    Rosas = 3 | Valdez = 3 | Ibarra = 3 | Campos = 3 | Santos = 3 | Camacho = 3 | Navarro = 3
    Peña = 3 | Maldonado = 3 | Rosales = 3 | Acosta = 3 | Miranda = 2 | Trejo = 2 | Valencia = 2
    Nava = 2 | Pacheco = 2 | Robles = 2 | Molina = 2 | Rangel = 2 | Fuentes = 2 | Huerta = 2
    Meza = 2 | Aguirre = 2 | Cabrera = 2 | Orozco = 2 | Cárdenas = 2 | Zúñiga = 1.5
    Olvera = 1.5 | Galindo = 1.5 | Tapia = 1.5 | Escobar = 1.5 | Quintero = 1.5 | Ordóñez = 1
    de la Cruz = 3 | de la Rosa = 0.8 | del Río = 0.5 | de los Santos = 0.5 | de la Torre = 0.5
    de León = 0.5 | del Valle = 0.4 | de la O = 0.2
    """
)

# Share of the surname draw that goes to Faker's long tail (the rest to the table above).
SURNAME_TAIL_SHARE = 0.30

FEMALE_GIVEN = _weighted(
    """
    María Guadalupe = 40 | Guadalupe = 30 | María = 20 | Juana = 15 | Margarita = 15
    Verónica = 15 | Leticia = 15 | Patricia = 18 | Rosa María = 10 | Elizabeth = 12
    Gabriela = 12 | Alejandra = 12 | Adriana = 12 | Ana María = 10 | María del Carmen = 15
    María de los Ángeles = 8 | María Elena = 8 | Silvia = 10 | Teresa = 8 | María Teresa = 6
    Rosario = 8 | María del Rosario = 6 | Concepción = 5 | María de la Concepción = 3
    Dolores = 5 | Graciela = 6 | Laura = 10 | Claudia = 10 | Martha = 10 | Mónica = 9
    Sandra = 8 | Araceli = 7 | Yolanda = 8 | Lucía = 6 | Norma = 7 | Josefina = 6 | Isabel = 6
    Fernanda = 6 | María Fernanda = 10 | Daniela = 10 | Valeria = 8 | Karla = 8 | Brenda = 7
    Jessica = 6 | Diana = 8 | Andrea = 8 | Itzel = 5 | Ximena = 6 | Paola = 7 | Mariana = 7
    Carolina = 5 | Lorena = 6 | Rocío = 6 | Elena = 5 | Socorro = 4 | María del Socorro = 3
    Mercedes = 4 | Beatriz = 5 | Alicia = 5 | Irma = 5 | Esperanza = 4 | Sofía = 6 | Camila = 4
    Regina = 3 | Fátima = 4 | Dulce María = 5 | Estefanía = 4 | Liliana = 5 | Erika = 5
    Nancy = 5 | Cecilia = 4 | Miriam = 5 | Angélica = 6 | Ana = 8 | Karen = 6 | Jazmín = 4
    Citlali = 3 | Xóchitl = 3 | Yesenia = 4 | Rubí = 3 | María Isabel = 5 | Ana Laura = 3
    María de Lourdes = 4 | María de la Luz = 4 | Refugio = 2 | Guillermina = 3
    """
)

MALE_GIVEN = _weighted(
    """
    José Luis = 25 | Juan Carlos = 20 | José Antonio = 15 | Jesús = 20 | Juan = 20
    Miguel Ángel = 18 | Francisco = 15 | Francisco Javier = 12 | José = 15 | Luis = 10
    Carlos = 12 | Jorge = 12 | Alejandro = 12 | Pedro = 8 | Eduardo = 10 | Roberto = 10
    Fernando = 10 | Ricardo = 10 | Arturo = 9 | Manuel = 9 | Juan Manuel = 10 | Sergio = 8
    Javier = 8 | Rafael = 7 | Daniel = 9 | David = 8 | Mario = 8 | Víctor Manuel = 7
    Guillermo = 7 | Alberto = 7 | Enrique = 7 | Ignacio = 4 | Gerardo = 6 | Óscar = 6
    Raúl = 6 | Martín = 6 | Héctor = 6 | José de Jesús = 6 | Luis Enrique = 5 | José Manuel = 6
    Ángel = 6 | Édgar = 5 | Iván = 5 | Omar = 5 | Hugo = 5 | Andrés = 5 | Rubén = 5
    Salvador = 5 | Jaime = 5 | Gustavo = 4 | Armando = 5 | Felipe = 4 | Antonio = 6 | Pablo = 4
    Diego = 5 | Brandon = 3 | Kevin = 3 | Uriel = 3 | Gabriel = 5 | Jesús Alberto = 3
    José Guadalupe = 3 | Juan José = 4 | Roberto Carlos = 3 | Luis Fernando = 4
    """
)

# Share of given-name draws that go to Faker's lists (the rest to the tables above), and the
# share of those that become a compound name built from two drawn names.
GIVEN_TAIL_SHARE = 0.35
RANDOM_COMPOUND_SHARE = 0.15

# Canonical given name (as written) → nicknames used by staff who know her or him.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Guadalupe": ("Lupita", "Lupe"),
    "Concepción": ("Conchita", "Concha"),
    "Leticia": ("Lety",),
    "Margarita": ("Mago",),
    "Teresa": ("Tere",),
    "Rosario": ("Chayo",),
    "Dolores": ("Lola", "Lolita"),
    "Graciela": ("Chela",),
    "Patricia": ("Paty",),
    "Verónica": ("Vero",),
    "Alejandra": ("Ale",),
    "Gabriela": ("Gaby",),
    "Socorro": ("Coco",),
    "Mercedes": ("Meche",),
    "Josefina": ("Chepina",),
    "Refugio": ("Cuca",),
    "Isabel": ("Chabela",),
    "Guillermina": ("Mina",),
    "Carmen": ("Carmelita",),
    "Jesús": ("Chuy", "Chucho"),
    "José": ("Pepe",),
    "Francisco": ("Paco", "Pancho"),
    "Guillermo": ("Memo",),
    "Eduardo": ("Lalo",),
    "Ignacio": ("Nacho",),
    "Alberto": ("Beto",),
    "Roberto": ("Beto",),
    "Enrique": ("Quique",),
    "Antonio": ("Toño",),
    "Manuel": ("Manolo",),
    "Salvador": ("Chava",),
    "Rafael": ("Rafa",),
}

# Words that join names and surnames; skipped by the CURP rules.
PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VAN", "VON", "DA", "DAS"}
)

# Given names skipped by the CURP when a second given name follows.
SKIPPED_FIRST_NAMES = frozenset({"MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."})
