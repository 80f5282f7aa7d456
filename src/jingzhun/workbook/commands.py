"""What the import commands share (`jingzhun import`, `jingzhun import_areas`): the outcome of an
import on the terminal, and on errors the user's file annotated beside it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from jingzhun.privatefiles import make_private

from .annotate import annotate_errors

SHOWN_ERRORS = 200  # errors written to the terminal; the error file holds them all


def report_import(command: Any, file: Path, result: Any, *, dry_run: bool) -> None:
    """Print the import's summary (and its batch), or on errors write FILE.errors.xlsx (private:
    the rows as uploaded, ID numbers included), list the errors and exit 1."""
    if result.errors:
        target = file.with_name(file.stem + ".errors.xlsx")
        annotate_errors(file, result.errors, target)
        make_private(target)
        for error in result.errors[:SHOWN_ERRORS]:
            where = f"{error.sheet} 第{error.row}行 {error.column}".strip()
            command.stderr.write(f"{where}：{error.message}")
        if len(result.errors) > SHOWN_ERRORS:
            command.stderr.write(f"……共 {len(result.errors)} 处错误")
        command.stderr.write(f"未写入任何数据。标注了错误的文件：{target}")
        sys.exit(1)
    command.stdout.write(("仅校验，未写入。" if dry_run else "") + result.summary())
    if result.batch:
        command.stdout.write(f"批次号：{result.batch}")
