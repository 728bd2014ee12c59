from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from violeta.exports.period import period_parse


class PersonExportForm(forms.Form):
    legal_basis = forms.CharField(
        label=_("Legal basis of the request"),
        max_length=500,
        help_text=_(
            "For example: request of access (ARCO) by the woman herself. Do not write her name."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    folio = forms.CharField(label=_("Folio of the request"), max_length=60)
    identity_verified = forms.BooleanField(
        label=_("I checked her identity (or her legal representative's) with an official ID."),
        error_messages={
            "required": _("Her identity must be checked before her file is handed over.")
        },
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("json", "JSON"), ("pdf", "PDF")],
        widget=forms.RadioSelect,
        initial="pdf",
    )


class PeriodForm(forms.Form):
    date_from = forms.CharField(
        label=_("First day"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.CharField(
        label=_("Last day"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("json", "JSON")],
        widget=forms.RadioSelect,
        initial="csv",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "date_from" in data and "date_to" in data:
            try:
                data["period"] = period_parse(data["date_from"], data["date_to"])
            except ValidationError as error:
                self.add_error(None, error)
        return data
