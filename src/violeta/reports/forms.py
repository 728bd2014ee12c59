"""Forms of the public pages and the staff queue; limits named in each error message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.reports.choices import CONTACT_MAX, DESCRIPTION_MAX, MESSAGE_MAX, ReporterRole, Status

_OFF = {"autocomplete": "off"}


TOO_LONG = {
    "description": _("What happened: at most %(limit_value)d characters (it has %(show_value)d)."),
    "contact": _("Contact: at most %(limit_value)d characters (it has %(show_value)d)."),
    "folio": _("Folio: at most %(limit_value)d characters (it has %(show_value)d)."),
    "secret": _("Secret key: at most %(limit_value)d characters (it has %(show_value)d)."),
    "text": _("Message: at most %(limit_value)d characters (it has %(show_value)d)."),
}


def _too_long(field: str) -> dict[str, Any]:
    return {"max_length": TOO_LONG[field]}


class IdChoices(forms.ModelMultipleChoiceField):
    """Ids that cannot be a row's (not ASCII digits, or past a bigint) are invalid choices
    before the database sees them: SQLite raises OverflowError on ``pk__in`` with them."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class ReportForm(forms.Form):
    reporter_role = forms.ChoiceField(
        label=_("Who is reporting?"), choices=ReporterRole.choices, widget=forms.RadioSelect
    )
    immediate_danger = forms.BooleanField(label=_("Someone is in danger right now"), required=False)
    violence_types = IdChoices(
        label=_("What kind of violence? (optional)"),
        queryset=ViolenceType.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    alcaldia = forms.ModelChoiceField(
        label=_("Alcaldía where it happens (optional)"),
        queryset=Alcaldia.objects.all(),
        required=False,
        empty_label=_("I don't know / I prefer not to say"),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={**_OFF, "rows": 6}),
        error_messages=_too_long("description"),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously (no contact)"), required=False, initial=True
    )
    contact = forms.CharField(
        label=_("How can we contact you safely? (optional)"),
        max_length=CONTACT_MAX,
        required=False,
        widget=forms.TextInput(attrs=_OFF),
        error_messages=_too_long("contact"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["violence_types"].label_from_instance = lambda t: t.label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("anonymous") and not (data.get("contact") or "").strip():
            self.add_error(
                "contact", _("Contact: write how to reach you, or choose to report anonymously.")
            )
        return data


class CredentialsForm(forms.Form):
    folio = forms.CharField(
        label=_("Folio"),
        max_length=30,
        widget=forms.TextInput(attrs=_OFF),
        error_messages=_too_long("folio"),
    )
    secret = forms.CharField(
        label=_("Secret key"),
        max_length=40,
        widget=forms.PasswordInput(attrs=_OFF),
        error_messages=_too_long("secret"),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Add information"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={**_OFF, "rows": 4}),
        error_messages=_too_long("text"),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
