"""Official dataset loads in the admin: every load is kept (SESNSP revises past figures), so
older releases stay here to compare; loads are made only by ``import-official``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from violeta.observatory.official_models import OfficialDataset, OfficialFigure


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OfficialDataset)
class OfficialDatasetAdmin(ReadOnly):
    list_display = ("source", "release_date", "loaded_at", "file_name", "rows_read",
                    "rows_counted", "first_period", "last_period")  # fmt: skip
    list_filter = ("source", "release_date")


@admin.register(OfficialFigure)
class OfficialFigureAdmin(ReadOnly):
    list_display = ("dataset", "period", "geo", "category", "sex", "age_group", "value")
    list_filter = ("dataset__source", "dataset")
    search_fields = ("geo", "category", "period")
    list_select_related = ("dataset",)
