"""Uploaded images: validated by their content, resized and re-encoded without metadata.

Never trust an upload's name or declared content type: Pillow reads the bytes, the
pixel count is checked before anything is decoded (decompression bombs), and the
pixels are copied into a fresh image so EXIF, GPS, XMP, ICC and text chunks are gone.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import warnings
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

#: Formats accepted on upload, and the format each one is stored as.
OUTPUT_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
#: Largest picture we agree to decode: 50 megapixels (e.g. 8660×5773).
MAX_PIXELS = 50_000_000


def _invalid() -> ValidationError:
    return ValidationError(
        _("Upload a JPEG, PNG, WebP or GIF image; this file is not one we can read."),
        code="invalid_image",
    )


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Decode ``data`` fully, refusing hostile or oversized pictures before decoding pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in OUTPUT_FORMAT:
                raise _invalid()
            width, height = image.size
            if width < 1 or height < 1:
                raise _invalid()
            if width * height > max_pixels:
                raise ValidationError(
                    _("This image is too large (%(width)d×%(height)d pixels).")
                    % {"width": width, "height": height},
                    code="too_many_pixels",
                )
            image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                _("This image is too large to process."), code="too_many_pixels"
            ) from error
        except Exception as error:
            # Pillow's decoders raise many kinds of errors on broken or hostile input
            # (OSError, SyntaxError, ValueError, struct.error, EOFError, ...).
            raise _invalid() from error
    return image


def _clean_copy(image: Image.Image, target: str) -> Image.Image:
    """The pixels only, in a mode ``target`` can store: no metadata survives."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if target == "JPEG" or not has_alpha:
        mode = "L" if image.mode in ("1", "L", "I;16", "I", "F") and target != "WEBP" else "RGB"
    else:
        mode = "RGBA"
    converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def process_image(
    uploaded_file: IO[bytes] | Any,
    max_size: tuple[int, int],
    *,
    max_bytes: int | None = None,
    max_pixels: int = MAX_PIXELS,
) -> ContentFile[bytes]:
    """Validate an upload by content and return it resized to fit ``max_size``, metadata stripped.

    Raises ``ValidationError`` (codes ``too_large``, ``invalid_image``, ``too_many_pixels``).
    The returned file has a random name with the right extension.
    """
    limit = max_bytes if max_bytes is not None else settings.CERCHIA_MAX_IMAGE_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The image must be at most %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The image must be at most %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    if not data:
        raise _invalid()

    image = _open(data, max_pixels)
    source_format = image.format or ""
    target = OUTPUT_FORMAT[source_format]
    try:
        if getattr(image, "is_animated", False):
            image.seek(0)
        # Respect the camera's orientation before the EXIF that records it is dropped;
        # with broken EXIF, keep the pixels as stored.
        with contextlib.suppress(Exception):
            image = ImageOps.exif_transpose(image)
        image.thumbnail(max_size, Image.Resampling.LANCZOS)
        clean = _clean_copy(image, target)
        out = io.BytesIO()
        if target == "JPEG":
            clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        elif target == "WEBP":
            clean.save(out, "WEBP", quality=85, method=4)
        else:
            clean.save(out, "PNG", optimize=True)
    except ValidationError:
        raise
    except Exception as error:
        raise _invalid() from error
    name = f"{secrets.token_hex(10)}.{EXTENSIONS[target]}"
    return ContentFile(out.getvalue(), name=name)
