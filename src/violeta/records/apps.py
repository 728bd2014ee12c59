from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "violeta.records"
    label = "records"
