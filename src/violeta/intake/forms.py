"""The upload form of /importar/ and the mapping form of the administration."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from violeta.intake.files import content_kind, xlsx_problem
from violeta.intake.models import AgencyMapping
from violeta.intake.services import mapping_problem


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Registry file (CSV or XLSX)"),
        allow_empty_file=True,  # refused below, naming the file
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = upload.name or ""
        limit = settings.IMPORT_MAX_MB
        if (upload.size or 0) > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("%(file)s is larger than %(limit)s MB: split it or use violeta import.")
                % {"file": name, "limit": limit}
            )
        if not name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("%(file)s is not a CSV or XLSX file.") % {"file": name})
        # Told by content, never by the name or the declared Content-Type: nothing that is not
        # a registry is queued, and a name that says the other format is refused too.
        head = next(upload.chunks(), b"")
        upload.seek(0)
        kind = content_kind(head)
        named_xlsx = name.lower().endswith(".xlsx")
        if kind == "empty":
            raise forms.ValidationError(_("%(file)s is empty.") % {"file": name})
        if kind == "xls":
            raise forms.ValidationError(
                _("%(file)s is an old Excel workbook (.xls): save it as XLSX or CSV.")
                % {"file": name}
            )
        if kind not in {"csv", "xlsx"}:
            what = _("binary data") if kind == "binary" else kind
            raise forms.ValidationError(
                _("%(file)s is not a CSV or XLSX file: its content is %(what)s.")
                % {"file": name, "what": what}
            )
        if kind == "csv" and named_xlsx:
            raise forms.ValidationError(
                _("%(file)s is named .xlsx but holds CSV text: rename it .csv and upload it again.")
                % {"file": name}
            )
        if kind == "xlsx":
            problem = xlsx_problem(upload.file)
            if problem:
                raise forms.ValidationError(
                    _("%(file)s cannot be imported: %(problem)s.")
                    % {"file": name, "problem": problem}
                )
            if not named_xlsx:
                raise forms.ValidationError(
                    _("%(file)s is an XLSX workbook named as CSV: rename it .xlsx and upload it "
                      "again.") % {"file": name}
                )  # fmt: skip
        return upload


class AgencyMappingForm(forms.ModelForm):
    """Validated on save with the loader's own checks: a broken mapping is a form error."""

    class Meta:
        model = AgencyMapping
        fields = ("agency_code", "body", "note")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        code, body = cleaned.get("agency_code"), cleaned.get("body")
        if code and body is not None:
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    self.add_error("body", _("The mapping is not valid JSON."))
                    return cleaned
            problem = mapping_problem(code, body)
            if problem:
                self.add_error(
                    "body", _("The mapping cannot be used: %(problem)s") % {"problem": problem}
                )
        return cleaned
