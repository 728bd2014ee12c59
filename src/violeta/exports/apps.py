from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "violeta.exports"
    label = "exports"
