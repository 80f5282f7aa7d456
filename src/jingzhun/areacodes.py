"""Administrative area codes (统计用区划代码, 12 digits). Pure module.

province 2 digits + city 2 + county 2 + township 3 + village 3. A subtree of the area tree is a
prefix of the code, so scoping is a string-prefix match on an indexed column.
"""

from __future__ import annotations

from stdnum import numdb

LEVELS = ("province", "city", "county", "township", "village")
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def pad(code: str) -> str:
    """A 2/4/6/9-digit code zero-padded to 12 digits."""
    code = str(code).strip()
    # isdigit() alone also passes full-width and Arabic-Indic digits (issue #11 item 3).
    if not (code.isascii() and code.isdigit()) or len(code) > 12:
        raise ValueError(f"invalid area code {code!r}")
    return code.ljust(12, "0")


def level_of(code: str) -> str:
    """The level a 12-digit code denotes, from which of its parts are non-zero."""
    code = pad(code)
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def prefix(code: str, level: str | None = None) -> str:
    """The significant prefix of `code` at its own level (or the given one)."""
    code = pad(code)
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def prefix_range(scope: str) -> tuple[str, str]:
    """[low, high) of the codes that start with `scope` (a prefix as `prefix` gives it): a
    range an index scans, not a LIKE."""
    return scope, scope[:-1] + chr(ord(scope[-1]) + 1)


def parent_code(code: str) -> str | None:
    """The 12-digit code of the parent area, or None for a province."""
    level = level_of(code)
    index = LEVELS.index(level)
    if index == 0:
        return None
    return pad(prefix(code, LEVELS[index - 1]))


def county_names(county6: str) -> tuple[str, str, str]:
    """(province, city, county) names of a current 6-digit county code, from python-stdnum."""
    db = numdb.get("cn/loc")

    def name(code: str) -> str:
        info = db.info(code)
        props = info[1][1] if len(info) > 1 else {}
        label = props.get("county") or info[0][1].get("province", "")
        return label.split("]", 1)[-1]  # drop stdnum's "[1986-]" validity marks

    return name(county6[:2] + "0000"), name(county6[:4] + "00"), name(county6)
