from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from violeta.agencies.models import Unit
from violeta.alerts.choices import Level
from violeta.alerts.ruleset import validate


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupervisionFilter(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any")), *Level.choices]
    )
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=Unit.objects.all())
    older_than_hours = forms.IntegerField(
        label=_("Older than (hours)"), required=False, min_value=0, max_value=24 * 365
    )


class RuleSetForm(forms.Form):
    rules = forms.CharField(
        label=_("Rules (JSON)"), widget=forms.Textarea(attrs={"rows": 30, "cols": 100})
    )
    reason = forms.CharField(label=_("Why is it changed?"), max_length=300)
    # The version the edit started from (optimistic locking); a page without it saves as before.
    base = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean_rules(self) -> Any:
        try:
            rules = json.loads(self.cleaned_data["rules"])
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("Not valid JSON (line %(line)s, column %(col)s)."),
                params={"line": error.lineno, "col": error.colno},
            ) from error
        return validate(rules)
