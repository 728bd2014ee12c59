from django.apps import AppConfig


class SafetyplanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "violeta.safetyplan"
