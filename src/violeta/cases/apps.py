from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "violeta.cases"
    label = "cases"
