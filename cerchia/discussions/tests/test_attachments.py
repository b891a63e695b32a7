"""Image attachments: uploaded by members, checked by content, stripped of metadata,
and served only to those who may read where they are used — never from /media/."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cerchia.communities.actions import leave_community
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Attachment, Post
from cerchia.discussions.views.feed import attachment_name, attachment_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png(size: tuple[int, int] = (8, 6), name: str = "beans.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "sienna").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def jpeg_with_exif() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Inc."  # Make
    exif[0x0131] = "Where-I-live firmware"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "olive").save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    assert b"SecretCam" in data
    return SimpleUploadedFile("holiday.jpg", data, "image/jpeg")


def upload_url(community: Any) -> str:
    return reverse("discussions:upload_attachment", kwargs={"slug": community.slug})


def upload(user: Any, community: Any, file: Any, **data: Any) -> Any:
    return signed_in(user).post(upload_url(community), {"image": file, **data})


def attach(user: Any, community: Any, *, topic_title: str = "With a picture") -> Attachment:
    """An image uploaded by ``user`` and used in the opening post of a new topic."""
    response = upload(user, community, png())
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    markdown = response.json()["markdown"]
    testing.make_topic(
        community, user, title=topic_title, body=f"Look: {markdown}", attachment_ids=[attachment_id]
    )
    return Attachment.objects.select_related("post").get(pk=attachment_id)


def attachment_post(attachment: Attachment) -> Post:
    assert attachment.post_id is not None
    return Post.objects.get(pk=attachment.post_id)


# --- Upload ------------------------------------------------------------------------------------


def test_a_member_uploads_an_image_and_gets_its_markdown(member, public_community):
    response = upload(member, public_community, png(name="my beans.png"))

    assert response.status_code == 201
    data = response.json()
    attachment = Attachment.objects.get(pk=data["id"])
    assert attachment.uploaded_by == member
    assert attachment.community == public_community
    assert attachment.post is None
    assert attachment.content_type == "image/png"
    assert (attachment.width, attachment.height) == (8, 6)
    assert data["url"] == attachment_url(attachment)
    assert data["url"] == f"/attachments/{attachment.pk}/{attachment_name(attachment)}"
    assert data["markdown"] == f"![my beans]({data['url']})"


def test_alt_text_cannot_break_out_of_the_markdown(member, public_community):
    response = upload(member, public_community, png(), alt="x](javascript:alert(1)) ![y")
    markdown = response.json()["markdown"]
    assert markdown.count("](") == 1
    assert markdown.endswith(f"]({response.json()['url']})")
    assert "javascript:alert" in markdown.split("](")[0]  # left as harmless words


def test_a_text_file_renamed_png_is_refused(member, public_community):
    fake = SimpleUploadedFile("innocent.png", b"<script>alert(1)</script>", "image/png")

    response = upload(member, public_community, fake)

    assert response.status_code == 400
    assert "JPEG, PNG, WebP or GIF" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(member, public_community, settings):
    settings.CERCHIA_MAX_IMAGE_BYTES = 1000
    big = Image.effect_noise((200, 200), 100).convert("RGB")
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1000

    response = upload(
        member,
        public_community,
        SimpleUploadedFile("big.png", buffer.getvalue(), "image/png"),
    )

    assert response.status_code == 400
    assert "at most" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_no_file_is_a_clear_400(member, public_community):
    response = signed_in(member).post(upload_url(public_community), {})
    assert response.status_code == 400
    assert response.json() == {"error": "Choose an image to upload."}


def test_exif_is_stripped(member, public_community):
    response = upload(member, public_community, jpeg_with_exif())

    assert response.status_code == 201
    attachment = Attachment.objects.get(pk=response.json()["id"])
    with attachment.image.open("rb") as stored:
        data = stored.read()
    assert b"SecretCam" not in data
    assert b"Where-I-live" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info


def test_upload_refusals(client, member, stranger, public_community, private_community):
    # Signed out: sign in first; may read but not post: 403 in JSON; may not read: 404.
    response = client.post(upload_url(public_community), {"image": png()})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]

    refused = upload(stranger, public_community, png())
    assert refused.status_code == 403
    assert refused.json()["error"]

    assert upload(stranger, private_community, png()).status_code == 404
    assert signed_in(member).get(upload_url(public_community)).status_code == 405
    assert not Attachment.objects.exists()


def test_a_suspended_member_may_not_upload(member, public_community):
    member.suspended_at = timezone.now()
    member.save(update_fields=["suspended_at"])

    response = upload(member, public_community, png())

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_the_uploaded_image_goes_with_the_post_and_renders(member, public_community):
    attachment = attach(member, public_community)

    post = attachment_post(attachment)
    assert post.body_html.count("<img") == 1
    assert f'src="{attachment_url(attachment)}"' in post.body_html


# --- Serving -----------------------------------------------------------------------------------


def test_an_image_in_a_public_post_is_served_safely(client, member, public_community):
    attachment = attach(member, public_community)

    response = client.get(attachment_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{attachment_name(attachment)}"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "public" in response["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "PNG"


def test_a_private_communitys_image_is_404_to_strangers_and_anonymous(
    client, member, moderator, stranger, private_community
):
    attachment = attach(member, private_community)
    url = attachment_url(attachment)

    assert client.get(url).status_code == 404
    assert signed_in(stranger).get(url).status_code == 404

    response = signed_in(moderator).get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_member_who_left_no_longer_sees_the_image(member, owner, private_community):
    attachment = attach(owner, private_community)
    url = attachment_url(attachment)
    assert signed_in(member).get(url).status_code == 200

    with transaction.atomic():
        leave_community(member, private_community)

    assert signed_in(member).get(url).status_code == 404


def test_an_unattached_upload_is_only_for_its_uploader(client, member, moderator, public_community):
    response = upload(member, public_community, png())
    url = response.json()["url"]

    assert signed_in(member).get(url).status_code == 200
    assert signed_in(moderator).get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_a_deleted_posts_image_is_for_the_hosts_only(client, member, moderator, public_community):
    attachment = attach(member, public_community)
    with transaction.atomic():
        actions.delete_post(member, attachment_post(attachment))
    url = attachment_url(attachment)

    assert client.get(url).status_code == 404
    assert signed_in(member).get(url).status_code == 404
    response = signed_in(moderator).get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_wrong_name_or_id_is_404(client, member, public_community):
    attachment = attach(member, public_community)

    assert client.get(f"/attachments/{attachment.pk}/other.png").status_code == 404
    assert client.get(f"/attachments/{attachment.pk + 100}/x.png").status_code == 404
    assert client.post(attachment_url(attachment)).status_code == 405


def test_media_never_serves_attachments(client, member, owner, public_community, media_root):
    attachment = attach(member, public_community)
    name = str(attachment.image.name)
    assert (media_root / name).is_file()
    folder, rest = name.split("/", 1)
    (media_root / "avatars").mkdir(exist_ok=True)

    for path in (
        f"/media/{name}",
        f"/media/./{name}",
        f"/media//{name}",
        f"/media/avatars/../{name}",
        f"/media/{folder.upper()}/{rest}",
    ):
        assert signed_in(owner).get(path).status_code == 404, path
        assert client.get(path).status_code == 404, path


def test_media_never_serves_attachments_through_a_link(
    client, media_root, member, public_community
):
    attachment = attach(member, public_community)
    (media_root / "avatars").mkdir(exist_ok=True)
    (media_root / "avatars" / "sneaky").symlink_to(media_root / "attachments")
    inner = str(attachment.image.name).split("/", 1)[1]

    assert client.get(f"/media/avatars/sneaky/{inner}").status_code == 404


def test_media_still_serves_other_images(client, media_root):
    (media_root / "avatars").mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    (media_root / "avatars" / "a.png").write_bytes(buffer.getvalue())

    assert client.get("/media/avatars/a.png").status_code == 200


def test_upload_response_is_json_with_the_id(member, public_community):
    response = upload(member, public_community, png())
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) >= {"id", "url", "markdown"}
