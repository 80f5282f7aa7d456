"""The one error a standard raises: its message names the file, the indicator and the field.

A standard with several mistakes raises once with all of them (`problems`, in the file's order),
so a policy officer fixes a draft in one pass; each problem reads in one language
(`Problem.text("zh")` / `Problem.text("en")`). `str(error)` keeps every message as the loader
writes it (Chinese with the English in brackets), one per line: for logs and the command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVEL = {
    "household": ("户", "household"),
    "village": ("村", "village"),
    "county": ("县", "county"),
}
# "field: 中文 (english)": the field is a key of the file, the English the last bracket.
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]]*): (.*)$", re.S)
_ENGLISH = re.compile(r"^(.*?) \(([^()]*(?:\([^()]*\)[^()]*)*)\)$", re.S)


@dataclass(frozen=True)
class Problem:
    """One mistake: where (file, level, indicator, field) and what, in Chinese and English."""

    file: str
    level: str | None
    indicator: str | None
    field: str
    zh: str
    en: str

    @classmethod
    def parse(
        cls, file: str, message: str, level: str | None = None, indicator: str | None = None
    ) -> Problem:
        """From the loader's "field: 中文 (english)" message."""
        field = ""
        matched = _FIELD.match(message)
        if matched:
            field, message = matched.groups()
        bilingual = _ENGLISH.match(message)
        zh, en = bilingual.groups() if bilingual else (message, message)
        return cls(file, level, indicator, field, zh.strip(), en.strip())

    def text(self, language: str = "zh") -> str:
        english = language.startswith("en")
        parts = [self.file] if self.file else []
        if self.level is not None:
            zh_level, en_level = _LEVEL.get(self.level, (self.level, self.level))
            if self.indicator is not None:
                parts.append(
                    f"{en_level} indicator {self.indicator}"
                    if english
                    else f"{zh_level}层指标 {self.indicator}"
                )
            else:
                parts.append(en_level if english else f"{zh_level}层")
        if self.field:
            parts.append(self.field)
        parts.append(self.en if english else self.zh)
        return (": " if english else "：").join(parts)


class StandardError(ValueError):
    """A standard file (or its use at evaluation time) is invalid."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems) or (Problem.parse("", message),)

    def messages(self, language: str = "zh") -> list[str]:
        """Every problem, in one language."""
        return [problem.text(language) for problem in self.problems]
