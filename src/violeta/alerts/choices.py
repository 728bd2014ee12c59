from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    AVISO = "aviso", _("Notice")
    ALERTA = "alerta", _("Alert")
    ALARMA = "alarma", _("Alarm")


LEVEL_RANK = {Level.AVISO: 1, Level.ALERTA: 2, Level.ALARMA: 3}


class State(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class Trigger(models.TextChoices):
    ON_RECORD = "on_record", _("A record is registered")
    ON_ASSESSMENT = "on_assessment", _("A risk assessment is completed or changed")
    ON_ORDER = "on_order", _("A protection order is registered")
    SCHEDULED = "scheduled", _("On a schedule")
