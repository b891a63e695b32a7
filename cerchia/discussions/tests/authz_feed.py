"""The authorization matrix's rules for the feed, bookmarks, mentions, attachments,
"mark all read" and the community notification level (merged by
``cerchia/core/tests/test_authorization_matrix.py``)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cerchia.core.tests.matrix import Route, World, always, c, gate, only, signed_in
from cerchia.discussions.models import Attachment

#: Members of the community (not the site admin, not the suspended) may post there.
POSTERS = only("member", "moderator", "owner", otherwise="403")


def png_bytes(size: tuple[int, int] = (4, 4), color: str = "teal") -> bytes:
    """A small, valid PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def make_attachment(world: World) -> Attachment:
    """An image in the member's opening post (the file is written once, the row each time)."""
    name = f"attachments/matrix/{world.community.slug}.png"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(png_bytes()))
    return Attachment.objects.create(
        community=world.community,
        uploaded_by=world.people["member"],
        post_id=world.extra["opening_post_id"],
        image=name,
        content_type="image/png",
        width=4,
        height=4,
        size=1,
    )


def _attachment_path(world: World) -> str:
    attachment = make_attachment(world)
    return f"/attachments/{attachment.pk}/{world.community.slug}.png"


PAGES: dict[str, Route] = {
    "discussions:feed": Route(signed_in(), path=lambda w: "/feed/"),
    "discussions:bookmarks": Route(signed_in(), path=lambda w: "/bookmarks/"),
    # Whoever reads the community may ask; only those who may post get names.
    "discussions:mention_candidates": Route(
        gate("read", anonymous=None), path=lambda w: c("mentions/")(w) + "?q=m"
    ),
    "discussions:mark_all_read": Route(gate("read", POSTERS), "post", c("read-all/")),
    "discussions:community_level": Route(
        gate("read", POSTERS), "post", c("notifications/"), lambda w: {"level": "watching"}
    ),
    "discussions:upload_attachment": Route(
        gate("read", POSTERS),
        "post",
        c("attachments/"),
        lambda w: {"image": SimpleUploadedFile("pic.png", png_bytes(), "image/png")},
    ),
    # An image in a post: whoever may read the post, 404 to everyone else.
    "discussions:attachment": Route(gate("read", anonymous=None), path=_attachment_path),
    # The public media folder never serves attachments, whoever asks.
    "media_attachments": Route(
        always("404"), path=lambda w: f"/media/{make_attachment(w).image.name}"
    ),
}
