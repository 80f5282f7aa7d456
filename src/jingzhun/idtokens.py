"""Keyed ID-number tokens for privacy-preserving data exchange (issue #12 item 4). Pure module.

A department that may not hand over raw ID numbers replaces each one by a token: HMAC-SHA-256 of
the normalised number under a key of one data-sharing agreement. The county computes the same
tokens for its registry and matches on them, so a department's persons who match nobody are never
stored with their number. Without the key a token cannot be reversed or guessed; with it every
18-digit number can be tried, so the key is as sensitive as the numbers (docs/tokenize.md).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import re
import secrets

from jingzhun import idcodes, namekeys

KEY_BYTES = 32
_TOKEN = re.compile(r"[0-9a-f]{64}")  # fullmatch: "$" would let a trailing newline in
_KEY_ID_PREFIX = b"jingzhun-key-id:"


def new_key() -> bytes:
    """32 random bytes from the operating system's secure generator."""
    return secrets.token_bytes(KEY_BYTES)


def write_key(path: str | os.PathLike[str]) -> None:
    """Write a new key to `path` as 64 hex characters and a newline, mode 0600.

    Refuses (FileExistsError) to overwrite a file: an agreement's key replaced by accident would
    make every file tokenised with it unmatchable.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise FileExistsError(
            f"密钥文件已存在，不会覆盖：{path} (key file exists, not overwritten)"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new_key().hex() + "\n")


def load_key(path: str | os.PathLike[str]) -> bytes:
    """The key in `path` (hex text); ValueError naming the problem when it is missing, not hex or
    shorter than 32 bytes."""
    try:
        with open(path, encoding="ascii") as handle:
            text = handle.read().strip()
    except FileNotFoundError:
        raise ValueError(f"找不到密钥文件：{path} (key file not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"无法读取密钥文件：{path} (cannot read key file): {exc}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(
            f"密钥文件不是十六进制文本：{path} (key file is not hexadecimal text)"
        ) from None
    if len(key) < KEY_BYTES:
        raise ValueError(
            f"密钥太短：{len(key)} 字节，至少 {KEY_BYTES} 字节：{path}"
            f" (key too short: {len(key)} bytes, at least {KEY_BYTES})"
        )
    return key


def key_id(key: bytes) -> str:
    """A public fingerprint of `key` (12 hex characters): printed on both sides to check they use
    the same agreement key; it reveals nothing of the key."""
    return hashlib.sha256(_KEY_ID_PREFIX + key).hexdigest()[:12]


def token(id_number: str, key: bytes) -> str:
    """HMAC-SHA-256 of the normalised number (`idcodes.normalise`: 15 → 18 digits, full-width and
    lower-case x folded) as 64 lower-case hex characters.

    ValueError for an empty number (every empty cell would share one token and match each other)
    or a key shorter than 32 bytes. Validity is the caller's choice: an invalid number still gets
    a token.
    """
    if len(key) < KEY_BYTES:
        raise ValueError(f"密钥太短，至少 {KEY_BYTES} 字节 (key too short, at least {KEY_BYTES})")
    number = idcodes.normalise(id_number)
    if not number:
        raise ValueError("身份证号码为空，不能生成令牌 (empty ID number has no token)")
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()


def is_token(value: str) -> bool:
    """Exactly 64 lower-case hex characters, as `token` writes."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def reduce_name(name: str) -> str:
    """What fuzzy matching needs of a name and no more: its first pinyin-initials key (张三 → zs);
    "" for an empty name."""
    keys = namekeys.name_keys(name)
    return keys[0] if keys else ""


def birth_date(id_number: str) -> datetime.date | None:
    """The birth date of a valid number, else None."""
    try:
        return idcodes.parse(id_number).birth_date
    except idcodes.IdNumberError:
        return None


def claimed_birth_date(id_number: str) -> datetime.date | None:
    """The birth date a number states in its digits 7–14, even when the number fails its check
    (a mistyped check digit or sequence still carries its holder's birthday, which linking
    such a row by name and birth date needs); None if they are no date from 1900 to today."""
    number = idcodes.normalise(id_number)
    digits = number[6:14]
    if len(number) != 18 or not digits.isdigit():
        return None
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    today = datetime.datetime.now(datetime.UTC).date()  # nobody is born later
    return born if datetime.date(1900, 1, 1) <= born <= today else None
