"""Uploaded images: read by content, bombs refused, resized, re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from cerchia.accounts.images import AVATAR_SIZE, process_avatar
from cerchia.accounts.tests.conftest import image_bytes
from cerchia.core.images import process_image


def _open(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def _upload(data: bytes, name: str = "x.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


def _jpeg_with_exif(size: tuple[int, int] = (800, 600), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {2: (45.0, 26.0, 0.0), 4: (12.0, 20.0, 0.0)}  # GPS latitude/longitude
    return image_bytes("JPEG", size, exif=exif.tobytes(), icc_profile=b"\0" * 128)


def test_jpeg_is_resized_to_fit_and_stays_jpeg() -> None:
    result = process_avatar(_upload(image_bytes("JPEG", (2000, 1000))))
    image = _open(result.read())
    assert image.format == "JPEG"
    assert image.size == (512, 256)
    assert (result.name or "").endswith(".jpg")


def test_small_image_is_not_enlarged() -> None:
    image = _open(process_avatar(_upload(image_bytes("PNG", (40, 30)), "a.png")).read())
    assert image.size == (40, 30)


def test_exif_gps_and_icc_are_stripped() -> None:
    original = _open(_jpeg_with_exif())
    assert original.getexif()  # the fixture really carries metadata
    image = _open(process_avatar(_upload(_jpeg_with_exif())).read())
    assert not image.getexif()
    assert "exif" not in image.info
    assert "icc_profile" not in image.info


def test_exif_orientation_is_applied_before_stripping() -> None:
    image = _open(process_avatar(_upload(_jpeg_with_exif((600, 300), orientation=6))).read())
    assert image.size == (256, 512)  # rotated a quarter turn, then fitted into 512×512


def test_png_keeps_transparency_and_loses_text_chunks() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone Private")
    data = image_bytes("PNG", (300, 300), mode="RGBA", pnginfo=info)
    assert getattr(_open(data), "text", None)  # the fixture has the chunk
    image = _open(process_avatar(_upload(data, "a.png")).read())
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert not getattr(image, "text", {})


def test_webp_stays_webp() -> None:
    result = process_avatar(_upload(image_bytes("WEBP", (700, 700)), "a.webp"))
    image = _open(result.read())
    assert (image.format, image.size) == ("WEBP", AVATAR_SIZE)
    assert (result.name or "").endswith(".webp")


def test_animated_gif_becomes_its_first_frame_as_png() -> None:
    frames = [Image.new("P", (64, 64), color) for color in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    image = _open(process_avatar(_upload(out.getvalue(), "a.gif")).read())
    assert image.format == "PNG"
    assert getattr(image, "n_frames", 1) == 1


def test_cmyk_jpeg_is_stored_as_rgb() -> None:
    image = _open(process_avatar(_upload(image_bytes("JPEG", (100, 100), mode="CMYK"))).read())
    assert image.mode == "RGB"


def test_stored_name_is_random_not_the_uploaded_one() -> None:
    first = process_avatar(_upload(image_bytes(), "my-home-address.jpg"))
    second = process_avatar(_upload(image_bytes(), "my-home-address.jpg"))
    assert "address" not in (first.name or "")
    assert first.name != second.name


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"GIF89a but not really an image", id="fake-header"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", id="svg"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(image_bytes("JPEG")[:300], id="truncated-jpeg"),
        pytest.param(image_bytes("BMP", (20, 20)), id="bmp-not-accepted"),
        pytest.param(image_bytes("TIFF", (20, 20)), id="tiff-not-accepted"),
    ],
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as raised:
        process_avatar(_upload(data, "photo.jpg"))
    assert raised.value.code == "invalid_image"


def test_file_over_the_byte_limit_is_refused(settings: object) -> None:
    settings.CERCHIA_MAX_IMAGE_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as raised:
        process_avatar(_upload(image_bytes("PNG", (500, 500), mode="RGB") + b"\0" * 2000))
    assert raised.value.code == "too_large"


def test_file_without_a_declared_size_is_still_limited() -> None:
    stream = io.BytesIO(b"\0" * 2000)
    with pytest.raises(ValidationError) as raised:
        process_image(stream, (10, 10), max_bytes=1000)
    assert raised.value.code == "too_large"


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # 9000×9000 one-bit pixels: a few kilobytes on disk, 81 megapixels once decoded.
    bomb = image_bytes("PNG", (9000, 9000), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as raised:
        process_avatar(_upload(bomb, "bomb.png"))
    assert raised.value.code == "too_many_pixels"


def test_pixel_limit_is_configurable() -> None:
    with pytest.raises(ValidationError) as raised:
        process_image(_upload(image_bytes("PNG", (100, 100))), (50, 50), max_pixels=5000)
    assert raised.value.code == "too_many_pixels"
