"""Standards by their names, in the reader's language (never `yunnan-2018` on a page)."""

from __future__ import annotations

import functools

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jingzhun.standards import Standard, StandardError, loader


def english() -> bool:
    return (get_language() or "").startswith("en")


@functools.lru_cache(maxsize=32)
def shipped(standard_id: str) -> Standard | None:
    """A shipped standard, or None when its file is gone (its id then stands in for a name)."""
    try:
        return loader.load(standard_id)
    except (StandardError, FileNotFoundError, OSError):
        return None


def name_of(standard: Standard) -> str:
    return standard.name_en if english() else standard.name


def standard_name(standard_id: str) -> str:
    """The name of a shipped standard by its id (the id itself if the file is gone)."""
    standard = shipped(standard_id)
    return standard_id if standard is None else name_of(standard)


def standard_label(standard: Standard) -> str:
    """A standard as a choice: its name and, when the name does not say it, its year."""
    name = name_of(standard)
    if str(standard.year) in name:
        return name
    return _("{name}（{year} 年）").format(name=name, year=standard.year)
