from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "violeta.reports"
    label = "reports"
