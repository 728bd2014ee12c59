from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "violeta.lifecycle"
    label = "lifecycle"
