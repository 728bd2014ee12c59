from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "violeta.referrals"
    label = "referrals"
