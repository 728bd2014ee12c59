from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "violeta.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from violeta.audit.services import audit_login_signals

        audit_login_signals()
