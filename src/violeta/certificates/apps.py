from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "violeta.certificates"
    label = "certificates"
