"""Interest tags: free text from people, normalised to one spelling."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

MAX_TAGS = 10
MIN_LENGTH = 2
MAX_LENGTH = 40


def normalise_tags(raw: str | Iterable[str], *, limit: int = MAX_TAGS) -> list[str]:
    """Comma-separated text or a list → unique lowercase slugs, in the order given.

    Raises ``ValidationError`` for a tag that is too short or too long, or too many tags.
    """
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    slugs: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        slug = slugify(text)
        if len(slug) < MIN_LENGTH or len(slug) > MAX_LENGTH:
            raise ValidationError(
                _("“%(tag)s”: a tag has %(min)d to %(max)d letters or digits.")
                % {"tag": text[:60], "min": MIN_LENGTH, "max": MAX_LENGTH},
                code="invalid_tag",
            )
        if slug not in slugs:
            slugs.append(slug)
    if len(slugs) > limit:
        raise ValidationError(
            _("Use at most %(limit)d tags.") % {"limit": limit}, code="too_many_tags"
        )
    return slugs


def interests_for(slugs: list[str]) -> list[object]:
    """The Interest rows for ``slugs``, created where missing (name = the slug, spaced)."""
    from cerchia.accounts.models import Interest

    existing = {interest.slug: interest for interest in Interest.objects.filter(slug__in=slugs)}
    missing = [
        Interest(slug=slug, name=slug.replace("-", " ")) for slug in slugs if slug not in existing
    ]
    if missing:
        Interest.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {i.slug: i for i in Interest.objects.filter(slug__in=slugs)}
    return [existing[slug] for slug in slugs]
