"""The closed vocabularies a safety plan is generated from: levels and factors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanLevel(models.TextChoices):
    """The levels offered on the form (VioGén's); Danger Assessment's are accepted too."""

    NO_APRECIADO = "no_apreciado", _("Not appreciated")
    BAJO = "bajo", _("Low")
    MEDIO = "medio", _("Medium")
    ALTO = "alto", _("High")
    EXTREMO = "extremo", _("Extreme")


# Both instruments' levels on one scale (0 lowest): the plan content is selected by rank.
LEVEL_RANK: dict[str, int] = {
    "no_apreciado": 0,
    "bajo": 1,
    "medio": 2,
    "alto": 3,
    "extremo": 4,
    "variable": 1,
    "increased": 2,
    "severe": 3,
    "extreme": 4,
}


class Factor(models.TextChoices):
    WEAPONS = "weapons", _("He has or used weapons")
    THREATS_TO_KILL = "threats_to_kill", _("He threatened to kill her")
    STRANGULATION = "strangulation", _("He tried to strangle or choke her")
    CHILDREN = "children", _("Children at home")
    PREGNANCY = "pregnancy", _("She is pregnant")
    LEAVING_HOME = "leaving_home", _("She plans to leave the home")
    SEPARATION = "separation", _("Recent or planned separation")
    DIGITAL_HARASSMENT = "digital_harassment", _("Digital harassment")
    STALKING = "stalking", _("He follows or watches her")
    JEALOUSY_CONTROL = "jealousy_control", _("Jealousy and control")
    SUBSTANCE_ABUSE = "substance_abuse", _("He abuses alcohol or drugs")
    SUICIDE_RISK = "suicide_risk", _("Suicide threats or ideation")
    ESCALATION = "escalation", _("Violence is escalating")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    ISOLATION = "isolation", _("She is isolated")
    ORDER_BREACH = "order_breach", _("A protection order was breached")
