"""Operator commands start without Django's system checks (issue #10: `jingzhun assess` spent
~1.7 s of 3 s on them); `jingzhun check` and `serve` still run them."""

from __future__ import annotations

import importlib

import pytest
from django.core import checks
from django.core.management import load_command_class

from jingzhun.core.commands import OperatorCommand

OPERATOR_COMMANDS = {
    "assess": "jingzhun.assessment",
    "prune_runs": "jingzhun.assessment",
    "import": "jingzhun.registry",
    "export": "jingzhun.registry",
    "snapshot": "jingzhun.registry",
    "create_token": "jingzhun.accounts",
    "import_areas": "jingzhun.areas",
    "export_areas": "jingzhun.areas",
}


@pytest.mark.parametrize("name", sorted(OPERATOR_COMMANDS))
def test_operator_commands_skip_the_system_checks(name):
    command = load_command_class(OPERATOR_COMMANDS[name], name)
    assert isinstance(command, OperatorCommand)
    assert command.requires_system_checks == []


@pytest.mark.django_db
def test_assess_runs_from_the_command_line_without_checks(monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("system checks ran")

    monkeypatch.setattr(checks, "run_checks", refuse)
    command = load_command_class("jingzhun.assessment", "assess")
    command.run_from_argv(["jingzhun", "assess", "--year", "2018"])
    out = capsys.readouterr().out
    assert "用时" in out and "秒" in out


def test_serve_still_runs_the_checks():
    module = importlib.import_module("jingzhun.registry.management.commands.serve")
    assert module.Command.requires_system_checks != []


def test_start_up_does_not_import_the_engine_or_the_pinyin_tables(tmp_path):
    """Every command, worker and server process pays for what django.setup() imports: Ibis
    (with pandas and pyarrow's compute) and pypinyin's phrase tables are loaded by the work that
    needs them, not at start-up (a registered export kind or a login receiver once pulled them in:
    1.2-1.8 s of every `jingzhun` call)."""
    import os
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); "
        "print(sorted(m for m in ('ibis', 'pypinyin', 'jingzhun.procedures.services') "
        "if m in sys.modules))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingzhun.settings",
        "JINGZHUN_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"
