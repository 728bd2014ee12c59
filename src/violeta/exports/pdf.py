"""Her exported file as a PDF, in Spanish, from the same data as the JSON export."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def person_file_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    with translation.override("es-mx"):
        html = render_to_string("exports/person_file_pdf.html", {"f": data})
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
