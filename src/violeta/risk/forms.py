"""Forms of the risk pages. The answers form is built from the instrument's items."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from violeta.risk.definition import Definition, Item, localized
from violeta.risk.models import InstrumentVersion


def _field(item: Item) -> forms.Field:
    label = f"{item.id} · {item.label}"
    if item.type == "number":
        attrs: dict[str, Any] = {"step": "any"}
        if item.low is not None:
            attrs["min"] = item.low
        if item.high is not None:
            attrs["max"] = item.high
        return forms.CharField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))
    # Any value is accepted here; the service checks it against the item and names it.
    choices = [(o.value, localized(o.label)) for o in item.options]
    return forms.CharField(label=label, required=False, widget=forms.RadioSelect(choices=choices))


VERSION_FIELD = "edited_version"


class AnswersForm(forms.Form):
    def __init__(self, definition: Definition, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.required_ids = {i.id for i in definition.items if i.required}
        for item in definition.items:
            self.fields[item.id] = _field(item)
        # The version her answers started from (optimistic locking); not an item's id.
        # A page without it (served before this field existed) saves unchecked, as before.
        self.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=1, required=False
        )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        out: list[tuple[str, list[forms.BoundField]]] = []
        for group_id, label in self.definition.groups.items():
            fields = [self[i.id] for i in self.definition.items if i.group == group_id]
            if fields:
                out.append((localized(label), fields))
        return out


class StartForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("Instrument"), queryset=InstrumentVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from violeta.risk.selectors import instruments_available

        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = instruments_available()
        field.label_from_instance = lambda obj: f"{obj.title} · v{obj.version}"  # type: ignore[method-assign]


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("Final level"))
    reason = forms.CharField(
        label=_("Why? (required)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, definition: Definition, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [(lv.code, lv.name) for lv in definition.levels]


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Note"), max_length=2000, required=False)


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(label=_("Instrument file (JSON)"))
