from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "violeta.intake"
    label = "intake"
