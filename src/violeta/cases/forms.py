from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is her follow-up closed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
