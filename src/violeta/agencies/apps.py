from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "violeta.agencies"
    label = "agencies"
