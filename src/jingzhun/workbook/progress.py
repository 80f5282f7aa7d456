"""An import's steps, as its job page names them, and the time each took."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

READING = "reading"
CHECKING = "checking"
WRITING = "writing"
# In order; the job page shows the current one and how many are behind it.
STEPS = {READING: _("读取文件"), CHECKING: _("逐行校验"), WRITING: _("写入数据库")}

Progress = Callable[[str], None]  # told the step that starts


class Clock:
    """Seconds per named lap (a lap run twice adds up: a check repeated inside the lock)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 3)
        self._last = now
