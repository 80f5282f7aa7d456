"""`jingzhun tokenize FILE --kind KIND --key-file K [--output OUT]`: a department's file with its ID
numbers replaced by keyed tokens and its names by their initials (docs/tokenize.md).
`jingzhun tokenize --new-key K`: write a new agreement key to K (mode 0600) and print its key_id.

The work is `jingzhun.comparison.tokenizing.tokenize_file`; this only parses arguments and
reports. The key_id is printed either way, for both sides to compare.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun import idtokens
from jingzhun.comparison.tokenizing import default_target, tokenize_file
from jingzhun.core.commands import OperatorCommand
from jingzhun.standards import dataset_kinds


class Command(OperatorCommand):
    help = (
        "令牌化部门数据文件：证件号码替换为密钥令牌，姓名只保留拼音首字母"
        "（--new-key：生成协议密钥）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="部门数据文件（.xlsx 或 .csv）")
        parser.add_argument("--kind", help="数据集类型，如 deaths、vehicles")
        parser.add_argument("--key-file", type=Path, help="数据共享协议的密钥文件")
        parser.add_argument(
            "--output", type=Path, help="输出文件（默认：输入文件旁的 <名称>.tokens.xlsx/.csv）"
        )
        parser.add_argument(
            "--new-key", type=Path, metavar="KEY_FILE", help="生成新的协议密钥文件（权限 0600）"
        )

    def handle(
        self,
        *args: Any,
        file: Path | None,
        kind: str | None,
        key_file: Path | None,
        output: Path | None,
        new_key: Path | None,
        **options: Any,
    ) -> None:
        if new_key is not None:
            if file is not None or kind or key_file or output:
                raise CommandError(
                    "--new-key 不能与其他参数同用 (--new-key takes no other options)"
                )
            self._new_key(new_key)
            return
        if file is None or not kind or key_file is None:
            raise CommandError(
                "用法：jingzhun tokenize FILE --kind KIND --key-file K [--output OUT]"
                " 或 jingzhun tokenize --new-key K (usage)"
            )
        try:
            dataset_kind = dataset_kinds.load(kind)
            key = idtokens.load_key(key_file)
            self._warn_if_readable(key_file)
            summary = tokenize_file(file, dataset_kind, key, output or default_target(file))
        except (ValueError, OSError) as exc:  # StandardError, TokenizeError: ValueErrors
            raise CommandError(str(exc)) from None
        self.stdout.write(f"密钥指纹 key_id：{summary.key_id}")
        self.stdout.write(
            f"已写入 {summary.target}：{summary.rows} 行，{summary.tokenised} 行已令牌化，"
            f"{summary.unkeyed} 行无有效证件号码（仅可模糊匹配）"
            f" (written: {summary.rows} rows, {summary.tokenised} tokenised,"
            f" {summary.unkeyed} unkeyed)"
        )
        if summary.numeric_ids:
            self.stderr.write(
                f"注意：{summary.numeric_ids} 个证件号码存为数字，Excel 只保留 15 位，已无法使用；"
                "请将该列设为文本后重新导出"
                f" (note: {summary.numeric_ids} ID numbers were stored as numbers and lost digits)"
            )
        if summary.dropped_columns:
            self.stderr.write(
                f"注意：以下列不属于数据集类型 {summary.kind}，未写入输出："
                f"{'、'.join(summary.dropped_columns)} (columns not in the kind were left out)"
            )

    def _new_key(self, path: Path) -> None:
        try:
            idtokens.write_key(path)
            key = idtokens.load_key(path)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已生成密钥 {path}（权限 0600） (key written, mode 0600)")
        self.stdout.write(f"密钥指纹 key_id：{idtokens.key_id(key)}")

    def _warn_if_readable(self, path: Path) -> None:
        if os.name == "posix" and os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            self.stderr.write(
                f"警告：密钥文件 {path} 可被其他用户读取，请执行 chmod 600"
                " (warning: the key file is readable by others)"
            )
