"""The one error a standard raises: its message names the file, the indicator and the field."""

from __future__ import annotations


class StandardError(ValueError):
    """A standard file (or its use at evaluation time) is invalid."""
