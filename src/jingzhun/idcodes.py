"""Resident ID numbers (公民身份号码, GB 11643): normalise, validate, read sex and birth date.

Pure module (no Django). Validation is python-stdnum's `stdnum.cn.ric`; this module adds the
15 → 18 digit conversion, a reason for every rejection, and the facts the registry cross-checks.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; `str(err)` is a Chinese sentence for the user."""


@dataclass(frozen=True)
class IdFacts:
    """What an 18-character ID number says about its holder."""

    number: str
    birth_date: datetime.date
    sex: str  # "male" / "female": the 17th digit, odd for men
    birthplace_code: str


def normalise(value: str) -> str:
    """Strip spaces, upper-case the check character and convert old 15-digit numbers to 18."""
    number = re.sub(r"\s+", "", str(value or "")).upper()
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


def make(birthplace: str, birth_date: datetime.date, sequence: int, *, female: bool) -> str:
    """Build a valid 18-character number (for synthetic data and tests).

    `sequence` 0..499 picks the 3-digit order code; its parity is forced by `female`.
    """
    order = (sequence % 500) * 2 + (0 if female else 1)
    body = f"{birthplace}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
