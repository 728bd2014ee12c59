"""Building true CURPs by the published rules (RENAPO's instructivo normativo).

Pure string work, no look-ups: fast enough to run for every synthetic person.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from violeta.synth.names_data import PARTICLES, SKIPPED_FIRST_NAMES
from violeta.synth.places_data import FORBIDDEN_WORDS

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
VOWELS = frozenset("AEIOU")


def _fold_table(keep_enye: bool) -> dict[int, str]:
    """Accented Latin letters → their base letter (Ñ/ñ kept when ``keep_enye``)."""
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[code] = base
    if keep_enye:
        table.pop(ord("Ñ"), None)
        table.pop(ord("ñ"), None)
    return table


FOLD_KEEP_ENYE = _fold_table(True)
FOLD_ALL = _fold_table(False)


def plain_upper(value: str) -> str:
    """Upper case without accents; Ñ is kept (the CURP turns it into X itself)."""
    return value.upper().translate(FOLD_KEEP_ENYE)


def _words(value: str) -> list[str]:
    return [w for w in plain_upper(value).replace(".", " ").replace("-", " ").split() if w]


def _core_word(value: str) -> str:
    """The first word that is not a particle ("DE LA CRUZ" → "CRUZ")."""
    words = _words(value)
    for word in words:
        if word not in PARTICLES:
            return word
    return words[-1] if words else ""


def curp_given_name(given_names: str) -> str:
    """The given name the CURP uses: María/José are skipped when another name follows."""
    words = [w for w in _words(given_names) if w not in PARTICLES]
    if len(words) > 1 and words[0] in SKIPPED_FIRST_NAMES:
        return words[1]
    return words[0] if words else ""


def _first_inner(word: str, wanted_vowel: bool) -> str:
    for char in word[1:]:
        is_vowel = char in VOWELS
        if is_vowel == wanted_vowel and char.isalpha():
            return "X" if char == "Ñ" else char
    return "X"


def _initial(word: str) -> str:
    if not word:
        return "X"
    return "X" if word[0] == "Ñ" else word[0]


def check_digit(first17: str) -> str:
    """The 18th character: weights 18..2 over the characters' values, (10 - sum % 10) % 10."""
    total = sum(_VALUE[c] * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def build_curp(
    *,
    given_names: str,
    first_surname: str,
    second_surname: str,
    birth_date: dt.date,
    sex: str,
    state: str,
    homoclave: str = "0",
) -> str:
    """A CURP with a valid check digit. ``homoclave`` is the 17th character (a digit for
    people born before 2000, a letter from 2000; RENAPO assigns it to avoid duplicates)."""
    first = _core_word(first_surname)
    second = _core_word(second_surname)
    given = curp_given_name(given_names)
    head = _initial(first) + _first_inner(first, True) + _initial(second) + _initial(given)
    if head in FORBIDDEN_WORDS:
        head = head[0] + "X" + head[2:]
    body = (
        head
        + f"{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}"
        + sex
        + state
        + _first_inner(first, False)
        + _first_inner(second, False)
        + _first_inner(given, False)
        + homoclave
    )
    return body + check_digit(body)


def homoclave_for(birth_date: dt.date, draw: float) -> str:
    """A plausible 17th character: mostly 0 / A, sometimes another (``draw`` in [0, 1))."""
    if birth_date.year < 2000:
        return "0" if draw < 0.8 else str(1 + int(draw * 10) % 9)
    return "A" if draw < 0.8 else "ABCDEFGHIJ"[int(draw * 100) % 10]
