"""Serving uploaded images from the local media folder (the embedded default).

At scale uploads live in S3-compatible storage or behind the reverse proxy;
this view keeps ``make run`` complete without a second server.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django.views.static import serve

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded image, never anything else, never rendered as a document."""
    if PurePosixPath(path).suffix.lower() not in IMAGE_SUFFIXES:
        raise Http404
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
