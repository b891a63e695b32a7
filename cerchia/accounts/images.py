"""Member avatars: one size, one place, removed when replaced."""

from __future__ import annotations

from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from cerchia.core.images import process_image

AVATAR_SIZE = (512, 512)


def process_avatar(uploaded_file: IO[bytes] | Any) -> ContentFile[bytes]:
    """The upload validated, resized to fit 512×512 and stripped; raises ``ValidationError``."""
    return process_image(uploaded_file, max_size=AVATAR_SIZE)


def delete_file_on_commit(name: str) -> None:
    """Remove a stored file once the transaction that stopped using it commits."""
    if not name:
        return

    def _delete() -> None:
        default_storage.delete(name)

    transaction.on_commit(_delete)
