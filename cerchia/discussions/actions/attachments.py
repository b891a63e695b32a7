"""Image attachments: checked by content, resized, stripped of metadata, kept per community."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image

from cerchia.communities.models import Community
from cerchia.core import ratelimit
from cerchia.core.images import process_image
from cerchia.discussions import permissions
from cerchia.discussions.models import Attachment
from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from cerchia.accounts.models import User

ATTACHMENT_MAX_SIZE = (2048, 2048)
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def upload_attachment(actor: User, community: Community, uploaded: IO[bytes] | Any) -> Attachment:
    """Store an image a member will embed in a post of ``community``.

    Raises PermissionDenied/Http404 (only members who may post), ValidationError (not an
    image, too large)."""
    permissions.check_create_topic(actor, community)
    ratelimit.hit("upload", user=actor)
    try:
        processed = process_image(
            uploaded, ATTACHMENT_MAX_SIZE, max_bytes=settings.CERCHIA_MAX_IMAGE_BYTES
        )
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error
    processed.seek(0)
    with Image.open(processed) as image:
        width, height = image.size
        content_type = CONTENT_TYPES.get(image.format or "", "application/octet-stream")
    processed.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            community=community,
            uploaded_by=actor,
            content_type=content_type,
            width=width,
            height=height,
            size=processed.size,
        )
        attachment.image.save(processed.name or "image", processed, save=False)
        attachment.save()
        record_event(
            "attachment.uploaded",
            actor=actor,
            community=community,
            subject=attachment,
            size=attachment.size,
        )
    return attachment
