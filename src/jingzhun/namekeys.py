"""Pinyin-initial search keys for Chinese names (张三 → zs). Pure module.

Cadres search by typing initials. Surnames with several readings (曾 zeng/ceng, 单 shan/dan,
区 ou/qu) must be found by each, so every combination of each character's readings is a key.
"""

from __future__ import annotations

import functools
import itertools

from pypinyin import Style, pinyin

MAX_KEYS = 16  # a name with many heteronyms is capped rather than exploding combinatorially

# pypinyin lists a character's readings most common first; for surnames the surname reading
# is sometimes missing (it is a different word), so add the surname readings explicitly.
_SURNAME_INITIALS = {
    "曾": "z",
    "单": "s",
    "区": "o",
    "解": "x",
    "仇": "q",
    "朴": "p",
    "查": "z",
    "盖": "g",
    "乐": "y",
    "覃": "q",
    "缪": "m",
    "尉": "y",
    "员": "y",
    "祭": "z",
    "翟": "z",
    "种": "c",
}


@functools.lru_cache(maxsize=32768)
def _initials(char: str) -> tuple[str, ...]:
    """Every reading's initial of one character, most common first (cached: an import of
    100,000 names looks up the same few thousand characters again and again)."""
    options = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    letters = [r.lower() for group in options for r in group if r and r[0].isalpha()]
    return tuple(dict.fromkeys(letters)) or (char.lower(),)


def name_keys(name: str) -> list[str]:
    """All lower-case initial strings a user may type for `name`, most likely first."""
    name = "".join(str(name or "").split())
    if not name:
        return []
    # Character by character, not phrase by phrase: a name is not a word, and every reading of
    # each character is a key anyway.
    readings = [list(_initials(char)) for char in name]
    surname = _SURNAME_INITIALS.get(name[0])
    if surname and readings and surname not in readings[0]:
        readings[0].append(surname)
    keys = ["".join(combo) for combo in itertools.islice(itertools.product(*readings), MAX_KEYS)]
    return list(dict.fromkeys(keys))


def looks_like_initials(query: str) -> bool:
    """A search term that is only ASCII letters is treated as pinyin initials."""
    return bool(query) and query.isascii() and query.isalpha()
