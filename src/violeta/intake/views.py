"""/importar/: upload an agency's registry file, watch it import, download the rejected rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.delivery.views import polled
from violeta.intake.forms import ImportUploadForm
from violeta.intake.models import ImportJob, ImportRejection
from violeta.intake.services import UploadNotStored, import_job_create


def _importer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.can(Capability.IMPORT_RECORDS) or user.agency is None:
        raise PermissionDenied
    return user


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    user = _importer(request)
    return get_object_or_404(
        ImportJob.objects.select_related("agency"), pk=job_id, agency=user.agency
    )


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    limit = settings.IMPORT_MAX_MB * 1024 * 1024
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536:
        # Refused before the body is read (the form checks the file's own size too).
        error = _("The file is larger than %(limit)s MB.") % {"limit": settings.IMPORT_MAX_MB}
        jobs = ImportJob.objects.filter(agency=user.agency).select_related("user")[:20]
        context = {"form": ImportUploadForm(), "jobs": jobs, "error": error}
        return render(request, "intake/upload.html", context, status=413)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(user=user, upload=form.cleaned_data["file"], request=request)
        except UploadNotStored as failure:
            # A full disk (or an unwritable folder): nothing was kept; say so, not a 500.
            if failure.disk_full:
                message = _(
                    "%(file)s could not be saved: the server's disk has no space left. Nothing "
                    "was imported; try again later or tell your administrator."
                )
            else:
                message = _(
                    "%(file)s could not be saved on the server. Nothing was imported; try again "
                    "later or tell your administrator."
                )
            jobs = ImportJob.objects.filter(agency=user.agency).select_related("user")[:20]
            context = {"form": form, "jobs": jobs, "error": message % {"file": failure.file_name}}
            return render(request, "intake/upload.html", context, status=503)
        return redirect("intake:job", job_id=job.pk)
    jobs = ImportJob.objects.filter(agency=user.agency).select_related("user")[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/upload.html", {"form": form, "jobs": jobs}, status=status)


@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "intake/job.html", {"job": _job(request, job_id)})


@polled
@require_GET
def job_fragment(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress alone, polled by the page every two seconds while it runs."""
    return render(request, "intake/_job_status.html", {"job": _job(request, job_id)})


@require_GET
def rejections_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """Every rejected row of the job: row, field, reason (streamed, however many)."""
    found = _job(request, job_id)
    audit_log(
        actor=request.user,  # type: ignore[arg-type]
        action="export",
        subject_type="import_job",
        subject_id=found.pk,
        request=request,
        details={"what": "rejections", "rejected_rows": found.rejected_rows},
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def cell(value: str) -> str:  # no formulas when a spreadsheet opens it
        return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(["archivo", "fila", "campo", "motivo"])
        rows = ImportRejection.objects.filter(job=found).order_by("row", "pk")
        for rejection in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [cell(found.file_name), rejection.row, rejection.field, cell(rejection.message)]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rechazos-{found.pk}.csv"'
    return response
