from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violeta.agencies.models import Agency, Unit, User
from violeta.agencies.roles import Capability
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.referrals.catalog import receiving_agencies, services_of
from violeta.referrals.choices import ConsentMethod, Service, Share

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class RecordChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.agency_record_id} · {timezone.localtime(obj.occurred_at):%d/%m/%Y}"


class AgencyChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class ReferralForm(forms.Form):
    form_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=32, initial=lambda: uuid.uuid4().hex
    )
    to_agency = AgencyChoice(label=_("Refer her to"), queryset=Agency.objects.none())
    to_unit = forms.ModelChoiceField(
        label=_("Unit (optional)"), queryset=Unit.objects.none(), required=False
    )
    service = forms.ChoiceField(label=_("Service requested"), choices=Service.choices)
    reason = forms.CharField(
        label=_("Why she is referred and what is asked"),
        help_text=_("Always seen by the receiving agency: no account of the violence here."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        help_text=_("Seen by the receiving agency only if she agrees to share the narrative."),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    record = RecordChoice(
        label=_("The attention it comes from (optional)"),
        queryset=AgencyRecord.objects.none(),
        required=False,
    )
    consent_given = forms.ChoiceField(
        label=_("Does she consent to share her data with that agency?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    consent_method = forms.ChoiceField(
        label=_("How did she consent?"),
        choices=[("", "—"), *ConsentMethod.choices],
        required=False,
    )
    consent_scope = forms.MultipleChoiceField(
        label=_("What she agrees to share"),
        choices=Share.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = user.agency_id or 0
        agencies = Agency.objects.filter(code__in=receiving_agencies(), active=True).exclude(pk=own)
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]
        # Services grouped by the agency that receives them (checked again by the service).
        labels = dict(Service.choices)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (a.code, [(s, labels[s]) for s in services_of(a.code)]) for a in agencies
        ]
        self.fields["to_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            agency__in=agencies
        ).select_related("agency")
        self.fields["record"].queryset = AgencyRecord.objects.filter(  # type: ignore[attr-defined]
            agency_id=own, parties__person=person, parties__role=PartyRole.VICTIM
        ).order_by("-occurred_at")
        if user.can(Capability.OVERRIDE_CONSENT):
            self.fields["override"] = forms.BooleanField(
                label=_("Override her consent (share without it, or beyond it)"), required=False
            )
            self.fields["override_scope"] = forms.MultipleChoiceField(
                label=_("What is shared by the override"),
                choices=Share.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["override_reason"] = forms.CharField(
                label=_("Why her consent is overridden"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome of the service"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
