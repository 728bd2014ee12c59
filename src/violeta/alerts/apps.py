from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "violeta.alerts"
    verbose_name = "Alertas tempranas"
