"""The webhook endpoint form used by the administration: levels and URL checked on save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.delivery.models import LEVELS, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("levels"),
        choices=[(level, level) for level in LEVELS],
        widget=forms.CheckboxSelectMultiple,
    )
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 16 characters. Leave empty to keep the current secret."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "secret", "levels", "active")

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        if not url.startswith(("http://", "https://")):
            raise forms.ValidationError(_("The URL must start with http:// or https://."))
        return url

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data.get("secret") or "")
        if not secret and self.instance.pk:
            return str(self.instance.secret)
        if len(secret) < 16:
            raise forms.ValidationError(_("The signing secret needs at least 16 characters."))
        return secret

    def clean_levels(self) -> list[str]:
        return sorted(self.cleaned_data["levels"], key=LEVELS.index)
