"""Pictures for the demo, drawn at load time so the repository holds no binaries.

Avatars are warm two-colour gradients with the person's initials; covers are wider
gradients with a few soft circles (a *cerchia* is a circle). Colours are picked from
the name, so the same person always gets the same picture.
"""

from __future__ import annotations

import hashlib
import io
import math
import secrets

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont, ImageOps

AVATAR_SIZE = 512
COVER_SIZE = (1600, 600)

#: Warm pairs (light, deep) that keep white initials readable.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#f4a259", "#bc4b51"),
    ("#f6bd60", "#c8553d"),
    ("#e9c46a", "#9c6644"),
    ("#f28482", "#84425a"),
    ("#ffb677", "#a44a3f"),
    ("#e5989b", "#6d597a"),
    ("#ddb892", "#7f5539"),
    ("#f4978e", "#8e3b46"),
    ("#fcbf49", "#d62828"),
    ("#c9ada7", "#4a4e69"),
)


def _pick(seed: str) -> tuple[int, tuple[str, str]]:
    digest = hashlib.sha256(seed.encode()).digest()
    return digest[1], PALETTE[digest[0] % len(PALETTE)]


def _gradient(size: tuple[int, int], light: str, deep: str, angle: int) -> Image.Image:
    """A blend from ``light`` to ``deep`` across the picture, turned by ``angle`` degrees."""
    turn = math.radians(angle % 90)
    side = math.ceil(256 * (math.cos(turn) + math.sin(turn)))
    ramp = Image.linear_gradient("L").resize((side, side), Image.Resampling.BILINEAR)
    ramp = ramp.rotate(angle % 90, resample=Image.Resampling.BICUBIC)
    start = (side - 256) // 2
    mask = ImageOps.autocontrast(ramp.crop((start, start, start + 256, start + 256)))
    mask = mask.resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, deep), Image.new("RGB", size, light), mask)


def _jpeg(image: Image.Image, prefix: str) -> ContentFile[bytes]:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=86, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=f"{prefix}-{secrets.token_hex(8)}.jpg")


def avatar(initials: str, seed: str) -> ContentFile[bytes]:
    """A square JPEG with ``initials`` on a warm gradient."""
    turn, (light, deep) = _pick(seed)
    size = (AVATAR_SIZE, AVATAR_SIZE)
    image = _gradient(size, light, deep, angle=30 + turn % 60)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=AVATAR_SIZE * 2 // 5)
    draw.text(
        (AVATAR_SIZE / 2, AVATAR_SIZE / 2),
        initials.upper()[:2],
        font=font,
        anchor="mm",
        fill="#fffaf3",
    )
    return _jpeg(image, "avatar")


def cover(seed: str) -> ContentFile[bytes]:
    """A wide JPEG: a warm gradient with a few translucent circles."""
    turn, (light, deep) = _pick(seed)
    # The circles are drawn at half size and scaled up, which also softens their edges.
    width, height = COVER_SIZE[0] // 2, COVER_SIZE[1] // 2
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    digest = hashlib.sha256(("circles:" + seed).encode()).digest()
    for index in range(6):
        x = digest[index * 3] / 255 * width
        y = digest[index * 3 + 1] / 255 * height
        radius = 30 + digest[index * 3 + 2] / 255 * 130
        alpha = 28 + index * 6
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            outline=(255, 250, 243, alpha + 40),
            fill=(255, 250, 243, alpha),
            width=2,
        )
    base = _gradient(COVER_SIZE, light, deep, angle=turn % 90).convert("RGBA")
    overlay = overlay.resize(COVER_SIZE, Image.Resampling.BILINEAR)
    return _jpeg(Image.alpha_composite(base, overlay).convert("RGB"), "cover")
