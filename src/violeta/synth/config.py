"""How much the agencies' typing departs from the truth: the corruption knobs."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class CorruptionConfig:
    """Per-record rates (0..1). Each applies independently to the identity as one agency
    typed it on one record (victim and aggressor alike); the truth is never changed, except by
    ``moved`` and ``phone_changed``, which change the woman's life (address, phone) from one
    incident to the next."""

    curp_present: float = 0.55  # the record carries a CURP (agencies that have a CURP column)
    curp_typo: float = 0.04  # a present CURP has one character changed or two swapped
    name_typo: float = 0.05  # one name part has one typing error (substitution, omission...)
    accent_loss: float = 0.35  # accents dropped (agencies that type accents); Ñ → N for half
    second_surname_dropped: float = 0.08
    surnames_swapped: float = 0.03
    compound_first_dropped: float = 0.25  # "María Guadalupe" → "Guadalupe"
    maria_abbreviated: float = 0.06  # "María Guadalupe" → "Ma. Guadalupe", "José" → "J."
    nickname: float = 0.08  # "Guadalupe" → "Lupita" (when a nickname is known)
    surnames_missing: float = 0.03  # full-name columns: only the given name was typed
    birth_date_swapped: float = 0.03  # day and month exchanged (when both ≤ 12)
    age_instead_of_birth_date: float = 0.20  # birth date missing, age given
    birth_date_missing: float = 0.05  # neither birth date nor age
    age_off_by_one: float = 0.10  # an age given is one year off
    phone_missing: float = 0.15
    phone_typo: float = 0.02
    phone_changed: float = 0.15  # per incident: she has a new phone from then on
    moved: float = 0.08  # per incident: she lives in another colonia (often alcaldía) from then on

    def scaled(self, factor: float) -> CorruptionConfig:
        """Every rate multiplied by ``factor`` (capped at 1), except ``curp_present``."""
        changes = {
            f.name: min(1.0, getattr(self, f.name) * factor)
            for f in fields(self)
            if f.name != "curp_present"
        }
        return replace(self, **changes)


PRESETS: dict[str, CorruptionConfig] = {
    "none": replace(CorruptionConfig().scaled(0.0), curp_present=1.0),
    "default": CorruptionConfig(),
    "hard": replace(
        CorruptionConfig().scaled(2.0),
        curp_present=0.35,
        age_instead_of_birth_date=0.35,
        accent_loss=0.6,
        compound_first_dropped=0.4,
    ),
}


def corruption_config(value: CorruptionConfig | str) -> CorruptionConfig:
    if isinstance(value, CorruptionConfig):
        return value
    try:
        return PRESETS[value]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ValueError(f"unknown corruption preset {value!r} (known: {known})") from None
