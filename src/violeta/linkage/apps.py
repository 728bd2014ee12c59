from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "violeta.linkage"
    label = "linkage"
