"""The auditors' filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.audit.models import Action


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *Action.choices]
    )
    subject_type = forms.CharField(label=_("Subject type"), required=False, max_length=40)
    subject_id = forms.CharField(label=_("Subject id"), required=False, max_length=64)
    agency = forms.CharField(label=_("Agency"), required=False, max_length=20)
    since = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``selectors.audit_search`` (the form must be valid)."""
        data = self.cleaned_data
        return {
            "actor_label": data.get("actor") or None,
            "action": data.get("action") or None,
            "subject_type": data.get("subject_type") or None,
            "subject_id": data.get("subject_id") or None,
            "agency_code": data.get("agency") or None,
            "since": data.get("since"),
            "until": data.get("until"),
        }
