"""The agreement keys the county holds (docs/tokenize.md): one `*.key` file per data-sharing
agreement in `settings.AGREEMENT_KEYS_DIR`, never in the database. A tokenised dataset names
its key by the public key_id only; the key is read from its file when the registry's tokens are
computed, and refused when others than its owner may read it."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from jingzhun import idtokens


class KeyFileError(ValueError):
    """A key file that may not be used (readable by others, unreadable, not a key)."""


def keys_dir() -> Path:
    return Path(settings.AGREEMENT_KEYS_DIR)


def agreement_key(key_id: str) -> bytes | None:
    """The key whose public fingerprint is `key_id`, or None when no key file holds it.

    KeyFileError for a key file group or others may read (0600 expected: with the key every
    ID number's token can be computed, so it is as sensitive as the numbers) or one that is not
    a key: a wrong file is named, never silently skipped."""
    if not key_id:
        return None
    folder = keys_dir()
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.key")):
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise KeyFileError(
                f"密钥文件权限过宽（应为 0600）：{path} (key file readable by others, chmod 600)"
            )
        try:
            key = idtokens.load_key(path)
        except ValueError as exc:
            raise KeyFileError(str(exc)) from None
        if idtokens.key_id(key) == key_id:
            return key
    return None
