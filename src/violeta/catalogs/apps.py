from django.apps import AppConfig


class CatalogsConfig(AppConfig):
    name = "violeta.catalogs"
    label = "catalogs"
