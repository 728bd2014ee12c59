from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "violeta.core"
    label = "core"
