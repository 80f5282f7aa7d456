"""Resident ID numbers (公民身份号码, GB 11643): normalise, validate, read sex and birth date.

Pure module (no Django). Validation is python-stdnum's `stdnum.cn.ric`; this module adds the
15 → 18 digit conversion, a reason for every rejection, and the facts the registry cross-checks.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# ASCII digits only: `\d` also matches full-width (１) and Arabic-Indic (١) digits, and a number
# stored with them is a second person that no search finds (issue #11 item 3).
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15 = re.compile(r"^[0-9]{15}$")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; `str(err)` is a Chinese sentence for the user."""


@dataclass(frozen=True)
class IdFacts:
    """What an 18-character ID number says about its holder."""

    number: str
    birth_date: datetime.date
    sex: str  # "male" / "female": the 17th digit, odd for men
    birthplace_code: str
    # False when the birthplace code is real but was not in use in the birth year (stdnum refuses
    # such a number; we accept it, see `birthplace_in_use`): a data-quality note, not an error.
    birthplace_in_use: bool = True


def fold(value: str) -> str:
    """NFKC and no white space: full-width digits and letters (a Chinese input method's １２Ｘ)
    become ASCII. Other scripts' digits (Arabic-Indic ١٢) are left as they are, for the ASCII
    patterns to refuse: they are no compatibility form of 0-9."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def normalise(value: str) -> str:
    """Fold full-width characters and spaces (`fold`), upper-case the check character and convert
    old 15-digit numbers to 18. Every path that stores or looks up a number goes through here."""
    number = fold(value).upper()
    if _ID15.match(number):
        # Old numbers carry a 2-digit year of the 1900s and no check digit.
        body = number[:6] + "19" + number[6:]
        return body + ric.calc_check_digit(body + "0")
    return number


def parse(value: str) -> IdFacts:
    """Normalise and validate; raise IdNumberError with the reason in Chinese."""
    number = normalise(value)
    if not number:
        raise IdNumberError("身份证号码不能为空")
    if not number.isascii():
        raise IdNumberError("身份证号码只能使用半角数字0至9和X")
    if not _ID18.match(number):
        raise IdNumberError("身份证号码应为18位（最后一位可为X）或15位数字")
    try:
        birth = ric.get_birth_date(number)
    except (ValidationError, ValueError) as exc:
        raise IdNumberError("身份证号码中的出生日期无效") from exc
    if birth > datetime.date.today():  # noqa: DTZ011 - a calendar date, no time zone
        raise IdNumberError("身份证号码中的出生日期晚于今天")
    if number[-1] != ric.calc_check_digit(number):
        raise IdNumberError("身份证号码校验位错误")
    if not _birthplace_known(number[:6]):
        raise IdNumberError("身份证号码的前6位不是有效的行政区划代码")
    return IdFacts(
        number=number,
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",
        birthplace_code=number[:6],
        birthplace_in_use=birthplace_in_use(number[:6], birth.year),
    )


def is_valid(value: str) -> bool:
    """True when `parse` accepts the value."""
    try:
        parse(value)
    except IdNumberError:
        return False
    return True


@functools.lru_cache(maxsize=8192)  # a 6-digit code lookup; imports check 100,000s
def _birthplace_known(code: str) -> bool:
    # stdnum's own is_valid() can raise KeyError for province-only prefixes; ask the table directly.
    try:
        info = numdb.get("cn/loc").info(code)
    except Exception:  # noqa: BLE001 - any lookup failure means unknown
        return False
    return len(info) == 2 and bool(info[1][0]) and "county" in info[1][1]


@functools.lru_cache(maxsize=65536)
def birthplace_in_use(code: str, year: int) -> bool:
    """Whether the 6-digit code was a county-level code in `year` (python-stdnum's validity marks
    such as `[1986-]房山区`); `parse` accepts a known code whatever the year.

    python-stdnum refuses a number whose birthplace code was not in use in its birth year; we do
    not (docs/security.md, issue #11 item 10): the code is the place of registration when the
    number was issued, and numbers issued after a redistricting carry the new code with an earlier
    birth year (born 1980, registered with 房山区 110111, a code of 1986); local offices kept
    issuing withdrawn codes for years, and the table's years come from Wikipedia's lists. Real
    registries hold such numbers; refusing them would block real people from being registered.
    """
    try:
        info = numdb.get("cn/loc").info(code)
        counties = info[1][1]["county"] if len(info) == 2 else ""
    except Exception:  # noqa: BLE001 - any lookup failure means unknown
        return False
    for county in counties.split(","):
        if not county.startswith("["):
            return True
        start, end = county[1:].split("]", 1)[0].split("-")
        if (not start or int(start) <= year) and (not end or year <= int(end)):
            return True
    return False


def make(birthplace: str, birth_date: datetime.date, sequence: int, *, female: bool) -> str:
    """Build a valid 18-character number (for synthetic data and tests).

    `sequence` 0..499 picks the 3-digit order code; its parity is forced by `female`.
    """
    order = (sequence % 500) * 2 + (0 if female else 1)
    body = f"{birthplace}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
