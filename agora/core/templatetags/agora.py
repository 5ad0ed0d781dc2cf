from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from agora.core.markdown import render_markdown

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, "")


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)
