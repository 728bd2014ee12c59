from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "violeta.observatory"
    verbose_name = "Observatorio público"
