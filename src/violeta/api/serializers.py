"""Request bodies (validated) and response shapes (documented in the OpenAPI schema)."""

from __future__ import annotations

from rest_framework import serializers as s

ANSWER = s.JSONField(help_text="Item id → answer: 'yes'/'no', an option value, or a number.")


class AssessmentStartIn(s.Serializer):  # type: ignore[misc]
    person = s.IntegerField(min_value=1, help_text="The woman's file id.")
    instrument = s.SlugField(max_length=40, help_text="Instrument code, e.g. 'vpr'.")
    version = s.CharField(max_length=20, help_text="Instrument version, e.g. '1'.")


class AnswersIn(s.Serializer):  # type: ignore[misc]
    answers = s.DictField(
        child=s.JSONField(allow_null=True),
        help_text="Item id → answer ('yes'/'no', an option value, a number); null clears it.",
    )


class CompleteIn(s.Serializer):  # type: ignore[misc]
    answers = s.DictField(child=s.JSONField(allow_null=True), required=False)


class OverrideIn(s.Serializer):  # type: ignore[misc]
    level = s.CharField(max_length=30, help_text="A level code of the instrument.")
    reason = s.CharField(max_length=2000, help_text="Why the professional changes it.")


class OptionOut(s.Serializer):  # type: ignore[misc]
    value = s.CharField()
    label = s.CharField()
    weight = s.IntegerField()


class ItemOut(s.Serializer):  # type: ignore[misc]
    id = s.CharField()
    group = s.CharField()
    text = s.CharField()
    type = s.ChoiceField(choices=["yes_no", "choice", "number"])
    required = s.BooleanField()
    options = OptionOut(many=True)
    low = s.FloatField(allow_null=True)
    high = s.FloatField(allow_null=True)


class LevelOut(s.Serializer):  # type: ignore[misc]
    code = s.CharField()
    label = s.CharField()
    min_score = s.IntegerField()
    equivalent = s.CharField()
    reassess_hours = s.IntegerField(allow_null=True)


class InstrumentOut(s.Serializer):  # type: ignore[misc]
    code = s.CharField()
    version = s.CharField()
    name = s.CharField()
    kind = s.CharField()
    items = ItemOut(many=True)
    levels = LevelOut(many=True)


class LineOut(s.Serializer):  # type: ignore[misc]
    item = s.CharField()
    text = s.CharField()
    answer = s.JSONField(allow_null=True)
    answer_label = s.CharField()
    weight = s.IntegerField()


class ExplanationOut(s.Serializer):  # type: ignore[misc]
    lines = LineOut(many=True)
    total = s.IntegerField()
    level = LevelOut()
    next_threshold = LevelOut(allow_null=True)


class OverrideOut(s.Serializer):  # type: ignore[misc]
    direction = s.CharField()
    level = s.CharField()
    state = s.CharField()
    decided_at = s.DateTimeField(allow_null=True)


class AssessmentOut(s.Serializer):  # type: ignore[misc]
    id = s.IntegerField()
    person = s.IntegerField()
    agency = s.CharField()
    instrument = s.CharField()
    version = s.CharField()
    status = s.CharField()
    revision = s.IntegerField(
        help_text="Bumped by every save of the answers; the ETag. Send it as If-Match."
    )
    answers = s.DictField(child=ANSWER)
    score = s.IntegerField(allow_null=True)
    computed_level = s.CharField(allow_blank=True)
    final_level = s.CharField(allow_blank=True)
    final_equivalent = s.CharField(allow_blank=True)
    override = OverrideOut(allow_null=True)
    created_at = s.DateTimeField()
    completed_at = s.DateTimeField(allow_null=True)
    next_reassessment_due = s.DateTimeField(allow_null=True)
    explanation = ExplanationOut(allow_null=True)


class CurrentLevelOut(s.Serializer):  # type: ignore[misc]
    assessment = s.IntegerField()
    level = s.CharField()
    label = s.CharField()
    equivalent = s.CharField()
    computed_level = s.CharField()
    overridden = s.BooleanField()
    instrument = s.CharField()
    agency = s.CharField()
    completed_at = s.DateTimeField()
    next_reassessment_due = s.DateTimeField(allow_null=True)
    overdue = s.BooleanField()


class WomanRiskOut(s.Serializer):  # type: ignore[misc]
    person = s.IntegerField()
    current = CurrentLevelOut(allow_null=True)


class HistoryRowOut(s.Serializer):  # type: ignore[misc]
    id = s.IntegerField()
    agency = s.CharField()
    instrument = s.CharField()
    status = s.CharField()
    final_level = s.CharField(allow_blank=True)
    final_equivalent = s.CharField(allow_blank=True)
    completed_at = s.DateTimeField(allow_null=True)
    answers_visible = s.BooleanField()


class ProblemOut(s.Serializer):  # type: ignore[misc]
    type = s.URLField()
    title = s.CharField()
    status = s.IntegerField()
    detail = s.CharField()
    errors = s.DictField(child=s.ListField(child=s.CharField()), required=False)
