from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "violeta.delivery"
    label = "delivery"
