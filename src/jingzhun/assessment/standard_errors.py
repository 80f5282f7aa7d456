"""A standard's problems as the page shows them: every one, in the reader's language."""

from __future__ import annotations

from django.utils.translation import get_language

from jingzhun.standards import StandardError


def problems(error: StandardError) -> list[str]:
    """Each problem of the error (the loader reports them all at once) in the user's language."""
    return error.messages(get_language() or "zh")
