"""The browser's registration and search forms; validation itself is in ``validation.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.agencies.models import Agency
from violeta.catalogs.events import EVENT_LABELS, EVENT_RECORD_KINDS
from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType
from violeta.people.models import Person, Sex
from violeta.records.choices import Relationship, RiskLevel, Weapon
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid, validate_record

IDENTITY_FIELDS = (
    "given_names",
    "first_surname",
    "second_surname",
    "birth_date",
    "sex",
    "curp",
    "phone",
    "address",
    "colonia",
    "alcaldia",
)


def _identity_fields(prefix: str, *, required_name: bool) -> dict[str, forms.Field]:
    return {
        f"{prefix}_given_names": forms.CharField(
            label=_("Given names"), required=required_name, max_length=200
        ),
        f"{prefix}_first_surname": forms.CharField(
            label=_("First surname"), required=False, max_length=200
        ),
        f"{prefix}_second_surname": forms.CharField(
            label=_("Second surname"), required=False, max_length=200
        ),
        f"{prefix}_birth_date": forms.DateField(
            label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        ),
        f"{prefix}_age": forms.IntegerField(
            label=_("Age (if the date of birth is unknown)"), required=False
        ),
        f"{prefix}_sex": forms.ChoiceField(
            label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices]
        ),
        f"{prefix}_curp": forms.CharField(label=_("CURP"), required=False, max_length=40),
        f"{prefix}_phone": forms.CharField(label=_("Phone"), required=False, max_length=40),
        f"{prefix}_address": forms.CharField(
            label=_("Address (street and number)"), required=False, max_length=400
        ),
        f"{prefix}_colonia": forms.CharField(label=_("Colonia"), required=False, max_length=200),
        f"{prefix}_alcaldia": forms.ModelChoiceField(
            label=_("Alcaldía"),
            required=False,
            queryset=Alcaldia.objects.all(),
            to_field_name="inegi_code",
        ),
    }


class RecordForm(forms.Form):
    """One agency record for one woman; the agency's own kinds only."""

    kind = forms.ModelChoiceField(
        label=_("Kind of record"), queryset=RecordKind.objects.none(), to_field_name="code"
    )
    agency_record_id = forms.CharField(
        label=_("Your agency's folio"),
        required=False,
        max_length=200,
        help_text=_("Leave it empty and Violeta assigns one."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Date and time of the event"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    alcaldia = forms.ModelChoiceField(
        label=_("Alcaldía where it happened"),
        required=False,
        queryset=Alcaldia.objects.all(),
        to_field_name="inegi_code",
    )
    colonia = forms.CharField(label=_("Colonia where it happened"), required=False, max_length=200)
    violence_types = forms.ModelMultipleChoiceField(
        label=_("Types of violence"),
        queryset=ViolenceType.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.ModelMultipleChoiceField(
        label=_("Modalities"),
        queryset=Modality.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    relationship = forms.ChoiceField(
        label=_("Relationship of the aggressor to her"),
        required=False,
        choices=[("", "—"), *Relationship.choices],
    )
    weapons = forms.MultipleChoiceField(
        label=_("Weapons involved"),
        required=False,
        choices=Weapon.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level observed"), required=False, choices=[("", "—"), *RiskLevel.choices]
    )
    narrative = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    # Details of some kinds (non-identifying codes, kept in ``AgencyRecord.details``).
    service_type = forms.ChoiceField(
        label=_("Service given (women's services)"),
        required=False,
        choices=[
            ("", "—"),
            ("psicologica", _("Psychological")),
            ("juridica", _("Legal")),
            ("social", _("Social work")),
        ],
    )
    call_answered = forms.ChoiceField(
        label=_("Did she answer the follow-up call?"),
        required=False,
        choices=[("", "—"), ("si", _("Yes")), ("no", _("No"))],
    )
    order_valid_until = forms.DateField(
        label=_("Protection order valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    details_event = forms.ChoiceField(
        label=_("Event for early warnings"),
        required=False,
        choices=[("", "—"), *EVENT_LABELS.items()],
    )

    def __init__(self, *args: Any, agency: Agency, person: Person | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.person = person
        kinds = agency.record_kinds.filter(active=True)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].code
        self.shows_event = any(k.code in EVENT_RECORD_KINDS for k in kinds)
        self.fields.update(_identity_fields("victim", required_name=person is None))
        self.fields.update(_identity_fields("aggressor", required_name=False))
        self.result: RecordInput | None = None

    def canonical(self, folio: str) -> dict[str, Any]:
        d = self.cleaned_data

        def party(prefix: str) -> dict[str, Any]:
            values: dict[str, Any] = {}
            for name in IDENTITY_FIELDS:
                value = d.get(f"{prefix}_{name}")
                if name == "alcaldia":
                    value = value.inegi_code if value else ""
                values[name] = value if value is not None else ""
            values["age"] = d.get(f"{prefix}_age")
            return values

        aggressor = party("aggressor")
        return {
            "agency_record_id": d.get("agency_record_id") or folio,
            "kind": d["kind"].code if d.get("kind") else "",
            "occurred_at": d.get("occurred_at"),
            "alcaldia": d["alcaldia"].inegi_code if d.get("alcaldia") else "",
            "colonia": d.get("colonia", ""),
            "violence_types": [t.code for t in d.get("violence_types", [])],
            "modalities": [m.code for m in d.get("modalities", [])],
            "relationship": d.get("relationship", ""),
            "weapons": d.get("weapons", []),
            "risk_level": d.get("risk_level", ""),
            "narrative": d.get("narrative", ""),
            "details": self._details(d),
            "victim": party("victim"),
            "aggressor": aggressor if any(v for v in aggressor.values()) else None,
        }

    @staticmethod
    def _details(d: dict[str, Any]) -> dict[str, Any]:
        details: dict[str, Any] = {}
        kind = d["kind"].code if d.get("kind") else ""
        if kind == "service_session" and d.get("service_type"):
            details["service_type"] = d["service_type"]
        if kind == "followup_call" and d.get("call_answered"):
            details["answered"] = d["call_answered"] == "si"
        if kind == "protection_order" and d.get("order_valid_until"):
            details["order_valid_until"] = d["order_valid_until"].isoformat()
        if d.get("details_event"):
            details["event"] = d["details_event"]  # validation refuses it on other kinds
        return details

    def validate(self, *, folio: str, cats: Catalogs) -> RecordInput | None:
        """Run the shared validation and put each error on its form field.

        It runs even when some fields failed to parse, so the operator sees every problem at
        once; a field that already has an error does not get a second one.
        """
        form_ok = self.is_valid()
        try:
            self.result = validate_record(self.canonical(folio), agency=self.agency, cats=cats)
        except RecordInvalid as invalid:
            for name, messages in invalid.errors.items():
                field = name.replace(".", "_")
                target = field if field in self.fields else None
                if target is not None and target in self.errors:
                    continue
                for message in messages:
                    self.add_error(target, message)
            return None
        return self.result if form_ok else None


class SearchForm(forms.Form):
    curp = forms.CharField(label=_("CURP"), required=False, max_length=18)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=100)
    first_surname = forms.CharField(label=_("First surname"), required=False, max_length=60)
    second_surname = forms.CharField(label=_("Second surname"), required=False, max_length=60)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("curp", "phone", "first_surname", "birth_date")):
            raise forms.ValidationError(_("Search by CURP, phone, first surname or date of birth."))
        return data
