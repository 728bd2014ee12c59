"""Optimistic locking in the API: a read's ``ETag`` is the object's version; a write with
``If-Match`` naming an older one is refused with 412 and stores nothing (the exception
handler turns :class:`violeta.core.conflicts.EditConflict` into the problem). Without
``If-Match`` a write applies to whatever is current, as before."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from violeta.api import serializers as ser
from violeta.core.conflicts import etag, if_match_version

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        'The ETag of the version the change starts from, e.g. "3" (from a read or a previous '
        "write). If someone changed it since: 412 and nothing is stored. Absent: the change "
        "applies to the current version."
    ),
)
STALE = {
    (412, "application/problem+json"): OpenApiResponse(
        ser.ProblemOut,
        description="If-Match names an older version: someone else changed it meanwhile. "
        "The problem's current_version is the one to read and build on.",
    )
}


def expected_version(request: Request) -> int | None:
    return if_match_version(request.headers.get("If-Match"))


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = etag(version)
    return response
