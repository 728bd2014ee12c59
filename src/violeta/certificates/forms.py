from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.certificates.models import Purpose


class IssueForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why is it issued?"), choices=Purpose.choices, widget=forms.RadioSelect
    )
    investigation = forms.CharField(
        label=_("Investigation number (carpeta de investigación)"), required=False, max_length=60
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
