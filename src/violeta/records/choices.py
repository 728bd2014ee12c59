"""Closed vocabularies of a record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """The aggressor's relationship to the woman."""

    PAREJA = "pareja", _("Partner or spouse")
    EXPAREJA = "expareja", _("Former partner or spouse")
    NOVIO = "novio", _("Boyfriend or girlfriend")
    FAMILIAR = "familiar", _("Relative")
    CONOCIDO = "conocido", _("Acquaintance")
    COMPANERO = "companero", _("Co-worker or schoolmate")
    DESCONOCIDO = "desconocido", _("Stranger")
    OTRO = "otro", _("Other")


class Weapon(models.TextChoices):
    ARMA_FUEGO = "arma_fuego", _("Firearm")
    ARMA_BLANCA = "arma_blanca", _("Knife or blade")
    OBJETO = "objeto", _("Blunt object")
    OTRA = "otra", _("Other weapon")


class RiskLevel(models.TextChoices):
    NO_APRECIADO = "no_apreciado", _("Not appreciated")
    BAJO = "bajo", _("Low")
    MEDIO = "medio", _("Medium")
    ALTO = "alto", _("High")
    EXTREMO = "extremo", _("Extreme")


class PartyRole(models.TextChoices):
    VICTIM = "victim", _("Woman attended")
    AGGRESSOR = "aggressor", _("Aggressor")


class RecordSource(models.TextChoices):
    BROWSER = "browser", _("Registered in the browser")
    IMPORT = "import", _("Bulk import")
    API = "api", _("API")
    FHIR = "fhir", _("FHIR bundle (API)")
