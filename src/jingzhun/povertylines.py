"""The poverty line by year, read from data (data/poverty_lines.toml), never from code. Pure."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from importlib import resources


@cache
def table(name: str = "national") -> dict[int, Decimal]:
    with resources.files("jingzhun").joinpath("data/poverty_lines.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return {int(year): Decimal(str(value)) for year, value in data[name].items()}


def line(year: int, name: str = "national") -> Decimal:
    """The line of `year`; years after the table use its last figure."""
    lines = table(name)
    if year in lines:
        return lines[year]
    known = [y for y in lines if y <= year]
    if not known:
        raise KeyError(f"no poverty line for {year}")
    return lines[max(known)]
