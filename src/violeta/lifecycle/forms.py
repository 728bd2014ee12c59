"""Forms of the ARCO requests: rectification of her identity, logging and answering a request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violeta.catalogs.models import Alcaldia
from violeta.lifecycle.models import ArcoKind, ArcoStatus
from violeta.people import identity as ident

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestFields(forms.Form):
    folio = forms.CharField(label=_("Folio of the request"), max_length=60)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)

    def clean_received_on(self) -> Any:
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The request cannot be received in the future."))
        return value


class RectifyForm(RequestFields):
    legal_basis = forms.CharField(
        label=_("Legal basis of the request"),
        max_length=500,
        help_text=_(
            "For example: request of rectification (ARCO) by the woman herself. "
            "Do not write her name."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    identity_verified = forms.BooleanField(
        label=_("I checked her identity (or her legal representative's) with an official ID."),
        error_messages={"required": _("Her identity must be checked before her data is changed.")},
    )
    given_names = forms.CharField(label=_("Given names"), max_length=120, required=False)
    first_surname = forms.CharField(label=_("First surname"), max_length=120, required=False)
    second_surname = forms.CharField(label=_("Second surname"), max_length=120, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    curp = forms.CharField(label=_("CURP"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    colonia = forms.CharField(label=_("Colonia"), max_length=120, required=False)
    alcaldia = forms.ChoiceField(label=_("Alcaldía"), required=False)
    also_records = forms.BooleanField(
        label=_("Correct it also in the records of my agency"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(a.inegi_code, a.name) for a in Alcaldia.objects.all()]
        self.fields["alcaldia"].choices = choices  # type: ignore[attr-defined]

    def clean_curp(self) -> str:
        value = self.cleaned_data["curp"].strip().upper()
        if value and not ident.curp_is_valid(value):
            raise forms.ValidationError(_("This CURP is not valid (18 characters, check digit)."))
        return value

    def clean_birth_date(self) -> Any:
        value = self.cleaned_data["birth_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        digits = "".join(c for c in value if c.isdigit())
        if value and len(digits) < 8:
            raise forms.ValidationError(_("A phone has at least 8 digits."))
        return value

    def identity(self) -> dict[str, Any]:
        d = self.cleaned_data
        names = ("given_names", "first_surname", "second_surname", "curp", "phone", "address",
                 "colonia", "alcaldia")  # fmt: skip
        data: dict[str, Any] = {n: (d.get(n) or "").strip() for n in names}
        data["birth_date"] = d["birth_date"].isoformat() if d.get("birth_date") else ""
        return data


class ArcoRequestForm(RequestFields):
    kind = forms.ChoiceField(
        label=_("Right exercised"),
        choices=[(k.value, k.label) for k in ArcoKind if k != ArcoKind.RECTIFICATION],
    )
    summary = forms.CharField(
        label=_("What she asks"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which data or which use she asks to cancel or to oppose."),
    )


class ArcoAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(s.value, s.label) for s in ArcoStatus if s != ArcoStatus.PENDING],
    )
    answer = forms.CharField(
        label=_("Answer given to her"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
