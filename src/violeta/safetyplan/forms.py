from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from violeta.safetyplan.choices import Factor, PlanLevel
from violeta.safetyplan.content import PlanSection
from violeta.safetyplan.services import MAX_NOTE


class CreateForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Risk level"), choices=PlanLevel.choices, widget=forms.RadioSelect
    )
    factors = forms.MultipleChoiceField(
        label=_("What applies to her situation"),
        choices=Factor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class NoteForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed (internal note, never printed)"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    base = forms.IntegerField(widget=forms.HiddenInput)


def sections_from_post(post: QueryDict, current: list[PlanSection]) -> list[dict[str, Any]]:
    """The edited plan from the edit form: ``s{i}-step{j}`` texts, ``s{i}-remove{j}`` to drop a
    step, ``s{i}-new`` a step to add. Titles and step codes are kept from the version edited."""
    sections = []
    for i, section in enumerate(current):
        steps = []
        for j, step in enumerate(section.steps):
            if post.get(f"s{i}-remove{j}"):
                continue
            text = post.get(f"s{i}-step{j}", step.text)
            code = step.code if text.strip() == step.text else "custom"
            steps.append({"code": code, "text": text})
        new = post.get(f"s{i}-new", "").strip()
        if new:
            steps.append({"code": "custom", "text": new})
        sections.append({"code": section.code, "title": section.title, "steps": steps})
    return sections


def edit_rows(current: list[PlanSection], post: QueryDict | None) -> list[dict[str, Any]]:
    """What the edit form shows: the version's steps, or what was typed when it was refused."""
    rows = []
    for i, section in enumerate(current):
        steps = [
            {
                "text": post.get(f"s{i}-step{j}", step.text) if post else step.text,
                "removed": bool(post and post.get(f"s{i}-remove{j}")),
            }
            for j, step in enumerate(section.steps)
        ]
        new = post.get(f"s{i}-new", "") if post else ""
        rows.append({"title": section.title, "steps": steps, "new": new})
    return rows
