from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.linkage.models import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SplitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this record not hers?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnlinkedFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Who"),
        required=False,
        choices=[
            ("", _("Women and aggressors")),
            ("victim", _("Women")),
            ("aggressor", _("Aggressors")),
        ],
    )
    agency = forms.CharField(label=_("Agency code"), required=False, max_length=20)


class AttachForm(forms.Form):
    person = forms.IntegerField(label=_("File number"), min_value=1)
    reason = forms.CharField(
        label=_("Why is this record hers?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class KeepApartForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does it stay apart?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
