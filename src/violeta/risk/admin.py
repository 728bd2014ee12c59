"""Administrators load instrument files and retire versions here; nothing is edited by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from violeta.agencies.models import User
from violeta.risk.definition import InstrumentError
from violeta.risk.forms import InstrumentUploadForm
from violeta.risk.models import InstrumentVersion
from violeta.risk.versions import instrument_load, instrument_retire


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "loaded_at", "retired_at")
    list_filter = ("code", "retired_at")
    readonly_fields = ("code", "version", "name", "definition", "digest", "loaded_at", "retired_at")
    exclude = ("loaded_by",)
    actions = ["retire"]
    change_list_template = "risk/admin_instrument_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from files: see the upload page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Retire: no new assessments with it"))
    def retire(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for instrument in queryset:
            instrument_retire(instrument=instrument, actor=self._actor(request))
        self.message_user(request, _("Retired."))

    @staticmethod
    def _actor(request: HttpRequest) -> User:
        return request.user  # type: ignore[return-value]

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="risk_instrumentversion_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = InstrumentUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                outcome = instrument_load(text=text, actor=self._actor(request))
            except UnicodeDecodeError:
                errors = [_("The file is not UTF-8 text.")]
            except InstrumentError as error:
                errors = error.errors
            else:
                messages.success(
                    request,
                    _("%(instrument)s: %(status)s.")
                    % {"instrument": outcome.instrument, "status": outcome.status},
                )
                return redirect("admin:risk_instrumentversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": _("Load a risk instrument"),
            "opts": self.model._meta,
        }
        return render(request, "risk/admin_instrument_upload.html", context)
