"""Shapes of the records, people, alerts and FHIR endpoints (for the OpenAPI document). Records
themselves are checked by records.validation, the one place a record's rules live."""

from __future__ import annotations

from rest_framework import serializers as s


class PartyIn(s.Serializer):  # type: ignore[misc]
    given_names = s.CharField(required=False, allow_blank=True, max_length=100)
    first_surname = s.CharField(required=False, allow_blank=True, max_length=60)
    second_surname = s.CharField(required=False, allow_blank=True, max_length=60)
    birth_date = s.DateField(required=False, allow_null=True)
    age = s.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = s.ChoiceField(choices=["M", "H", "X", ""], required=False, help_text="M, H or X.")
    curp = s.CharField(required=False, allow_blank=True, max_length=18)
    phone = s.CharField(required=False, allow_blank=True, max_length=20)
    address = s.CharField(required=False, allow_blank=True, max_length=300)
    colonia = s.CharField(required=False, allow_blank=True, max_length=120)
    alcaldia = s.CharField(required=False, allow_blank=True, help_text="INEGI code, e.g. 09007.")


class PartyOut(PartyIn):
    person = s.IntegerField(allow_null=True, help_text="The person it was linked to.")


class RecordIn(s.Serializer):  # type: ignore[misc]
    agency_record_id = s.CharField(max_length=64, help_text="The agency's own folio.")
    kind = s.CharField(help_text="A record kind the agency registers, e.g. medical_attention.")
    occurred_at = s.DateTimeField(help_text="ISO 8601; not in the future.")
    alcaldia = s.CharField(required=False, allow_blank=True)
    colonia = s.CharField(required=False, allow_blank=True)
    violence_types = s.ListField(child=s.CharField(), required=False)
    modalities = s.ListField(child=s.CharField(), required=False)
    relationship = s.CharField(required=False, allow_blank=True)
    weapons = s.ListField(child=s.CharField(), required=False)
    risk_level = s.CharField(required=False, allow_blank=True)
    narrative = s.CharField(required=False, allow_blank=True)
    details = s.DictField(required=False)
    victim = PartyIn()
    aggressor = PartyIn(required=False, allow_null=True)


class RecordOut(RecordIn):
    id = s.IntegerField()
    agency = s.CharField()
    victim = PartyOut()
    aggressor = PartyOut(allow_null=True)
    source = s.CharField()
    version = s.IntegerField()
    registered_at = s.DateTimeField()
    updated_at = s.DateTimeField()


class RegisteredOut(s.Serializer):  # type: ignore[misc]
    id = s.IntegerField(help_text="Violeta's record id.")
    agency_record_id = s.CharField()
    version = s.IntegerField()
    created = s.BooleanField()
    changed = s.BooleanField(help_text="False when the same content was sent again.")
    victim = s.IntegerField(help_text="The woman's id (her file).")
    aggressor = s.IntegerField(allow_null=True)
    file = s.IntegerField(help_text="Her file id: the same as victim, after linkage.")


class SearchIn(s.Serializer):  # type: ignore[misc]
    given_names = s.CharField(required=False, allow_blank=True, max_length=100)
    first_surname = s.CharField(required=False, allow_blank=True, max_length=60)
    second_surname = s.CharField(required=False, allow_blank=True, max_length=60)
    birth_date = s.DateField(required=False, allow_null=True)
    age = s.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    curp = s.CharField(required=False, allow_blank=True, max_length=18)
    phone = s.CharField(required=False, allow_blank=True, max_length=20)


class CandidateOut(s.Serializer):  # type: ignore[misc]
    id = s.IntegerField(help_text="The woman's id.")
    score = s.FloatField(help_text="0..1: how likely she is the woman searched for.")
    evidence = s.DictField(child=s.CharField(), help_text="Field → agree, partial or differ.")
    records = s.IntegerField(help_text="Records of her, all agencies (a count only).")
    reachable = s.BooleanField(help_text="Whether this client may open her (risk, alerts).")


class CandidatePage(s.Serializer):  # type: ignore[misc]
    next = s.URLField(allow_null=True, help_text="POST the same body again to it.")
    previous = s.URLField(allow_null=True)
    results = CandidateOut(many=True)


class AlertOut(s.Serializer):  # type: ignore[misc]
    id = s.IntegerField()
    level = s.CharField(help_text="aviso, alerta or alarma.")
    rule = s.CharField()
    rule_title = s.CharField()
    state = s.CharField(help_text="open, acknowledged or closed.")
    created_at = s.DateTimeField()
    deadline = s.DateTimeField()
    why = s.CharField(help_text="The reason in words: codes and numbers, no narratives.")
    evidence = s.ListField(child=s.IntegerField(), help_text="Record ids this client may open.")
    evidence_total = s.IntegerField(help_text="Records behind the alert, every agency.")


class FhirBundleIn(s.Serializer):  # type: ignore[misc]
    resourceType = s.CharField(help_text="Bundle")
    type = s.ChoiceField(choices=["transaction", "collection"])
    entry = s.ListField(child=s.DictField(), help_text="Patient, Encounter and Condition.")


class FhirResultOut(s.Serializer):  # type: ignore[misc]
    entry = s.IntegerField(help_text="Index of the Encounter in the bundle.")
    record = RegisteredOut()


class FhirOut(s.Serializer):  # type: ignore[misc]
    records = FhirResultOut(many=True)


class AlertPage(s.Serializer):  # type: ignore[misc]
    next = s.URLField(allow_null=True)
    previous = s.URLField(allow_null=True)
    results = AlertOut(many=True)
