"""`jingzhun assess` prints progress, the per-level summary and the household blockers."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command

from jingzhun.assessment.models import AssessmentRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_assess_prints_the_summary(registry):
    out = io.StringIO()
    call_command("assess", "--engine", "duckdb", stdout=out)
    run = AssessmentRun.objects.get()
    assert (run.standard_id, run.year, run.engine, run.status) == (
        "yunnan-2018",
        2018,
        "duckdb",
        "finished",
    )
    text = out.getvalue()
    households = run.counts["household"]
    share = households["met"] * 100 / households["entities"]
    # Two decimals, half up, as official reports print rates (5 of 6: "83.33%").
    shown = str(Decimal(str(share)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert "户：6 个，达标 {met} 个（{share}%）".format(met=households["met"], share=shown) in text
    assert "村：4 个" in text and "县：2 个" in text
    assert "户主要未达标指标：" in text
    assert "  income: " in text


def test_assess_on_spark(registry, spark):
    out = io.StringIO()
    call_command("assess", "--engine", "spark", "--spark-master", "local[2]", stdout=out)
    run = AssessmentRun.objects.get()
    assert (run.engine, run.status) == ("spark", "finished")
    text = out.getvalue()
    assert "正在启动 Spark" in text and "户：6 个" in text and "县：2 个" in text


def test_spark_master_needs_the_spark_engine(registry):
    with pytest.raises(CommandError, match="--engine spark"):
        call_command("assess", "--engine", "duckdb", "--spark-master", "spark://nowhere:7077")
    assert not AssessmentRun.objects.exists()


def test_assess_refuses_an_area_outside_the_user(registry):
    user = UserFactory(role="county_admin", area=registry["v"][0].parent.parent)
    with pytest.raises(CommandError):
        call_command("assess", "--user", user.username, "--area", registry["v"][3].code)
    assert not AssessmentRun.objects.exists()
