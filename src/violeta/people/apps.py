from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "violeta.people"
    label = "people"
