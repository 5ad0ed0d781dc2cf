"""Short names for addresses, made unique within a model."""

from __future__ import annotations

from django.db import models
from django.utils.text import slugify


def unique_slug(
    model: type[models.Model], text: str, *, fallback: str, max_length: int = 70
) -> str:
    """A slug of `text` that no row of `model` uses yet: `name`, `name-2`, `name-3`…"""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
