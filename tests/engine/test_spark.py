"""The Spark engine is an optional extra: nothing imports pyspark until a Spark backend is asked
for, and without it the user gets the install hint (Chinese and English)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from jingzhun.assessment.models import AssessmentRun
from jingzhun.engine import connect


def test_engine_modules_do_not_import_pyspark():
    code = (
        "import sys, jingzhun.engine.connect, jingzhun.engine.inputs, jingzhun.engine.tables, "
        "jingzhun.engine.snapshot, jingzhun.standards.compiler, jingzhun.standards.explain; "
        "sys.exit('pyspark' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_without_pyspark_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark → ImportError
    with pytest.raises(ImportError, match=r"未安装 Spark 引擎：pip install 'jingzhun\[spark\]'"):
        connect.spark_session()


@pytest.mark.django_db
def test_assess_refuses_spark_without_pyspark(monkeypatch):
    monkeypatch.setattr(
        "jingzhun.assessment.management.commands.assess.spark_available", lambda: False
    )
    with pytest.raises(CommandError, match="jingzhun\\[spark\\]"):
        call_command("assess", "--engine", "spark")
    assert not AssessmentRun.objects.exists()


def test_snapshot_must_be_complete(tmp_path):
    with pytest.raises(FileNotFoundError, match="areas_area.parquet"):
        connect.spark_snapshot(tmp_path)
