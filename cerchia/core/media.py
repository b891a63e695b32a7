"""Serving uploaded images from the local media folder (the embedded default).

At scale uploads live in S3-compatible storage or behind the reverse proxy;
this view keeps ``make run`` complete without a second server.
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django.views.static import serve

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
#: Folders served only through views that check who may read them (post attachments).
PRIVATE_FOLDERS = frozenset({"attachments"})


def is_private(path: str) -> bool:
    """True for a path inside a private folder, however it is spelled or linked."""
    normalized = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    parts = PurePosixPath(normalized).parts
    if parts and parts[0].lower() in PRIVATE_FOLDERS:
        return True
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / normalized).resolve()
    return any(target.is_relative_to(root / folder) for folder in PRIVATE_FOLDERS)


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded image, never anything else, never rendered as a document; never a
    private attachment (those have their own view)."""
    if PurePosixPath(path).suffix.lower() not in IMAGE_SUFFIXES or is_private(path):
        raise Http404
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
