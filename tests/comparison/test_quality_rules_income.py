"""The income checks of `quality-2016` (reference.md §4.4 items 5, 7 and 8): the per-capita
income's bounds and the year's income items against the members and the household type, each
with a hit, a near miss and an edge, on the application database (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingzhun.comparison.findings import evaluate
from tests.comparison.test_quality_rules import HEAD, YEAR, found, make  # noqa: F401
from tests.factories import IncomeFactory

pytestmark = pytest.mark.django_db
NOTHING = {"wage_income": 0, "operating_income": 0, "operating_expenses": 0}
WORKER = {"work_status": "in_county", "work_months": 6}


def income(home: object, **items: object) -> None:
    """The household's income of YEAR: no item but those given (three members counted)."""
    IncomeFactory(household=home, year=YEAR, **{**NOTHING, **items})


def sentence(rule: str) -> str:
    (finding,) = evaluate("quality-2016", year=YEAR, only=(rule,))
    return finding.sentence


def test_per_capita_income_zero_or_above_100000(make):  # noqa: F811
    income(make("zero", [HEAD]))
    income(make("cent", [HEAD]), wage_income=Decimal("0.03"))  # 0.01 per person
    income(make("negative", [HEAD]), operating_expenses=30)  # income_negative's, not zero's
    income(make("limit", [HEAD]), wage_income=300_000)  # exactly 100,000 per person
    income(make("above", [HEAD]), wage_income=Decimal("300000.03"))  # 100,000.01
    make("no_record", [HEAD])
    assert found("income_zero", make) == {"zero"}
    assert found("income_too_high", make) == {"above"}
    assert found("income_negative", make) == {"negative"}
    assert sentence("income_too_high") == (
        "户主 张* 户当年人均纯收入为 100,000.01 元（超过 100,000 元）"
    )


def test_operating_income_without_expenses(make):  # noqa: F811
    income(make("hit", [HEAD]), operating_income=3000)
    income(make("near", [HEAD]), operating_income=3000, operating_expenses=Decimal("0.01"))
    income(make("edge", [HEAD]))  # no operating income, no expenses
    assert found("operating_income_without_expenses", make) == {"hit"}
    assert sentence("operating_income_without_expenses") == (
        "户主 张* 户当年生产经营性收入 3,000 元，生产经营性支出为 0 元"
    )


def test_wage_income_and_workers(make):  # noqa: F811
    income(make("wage_no_worker", [HEAD, {}]), wage_income=6000)
    income(make("wage_worker", [HEAD, WORKER]), wage_income=6000)
    income(make("worker_no_wage", [HEAD, WORKER]))
    income(make("neither", [HEAD, {}]))
    # Registered as working away for 0 months is still a worker (work_without_months flags it).
    income(make("zero_months", [HEAD, {"work_status": "in_province", "work_months": 0}]))
    make("worker_no_record", [HEAD, WORKER])  # no income of the year: income_missing's
    assert found("wage_income_without_worker", make) == {"wage_no_worker"}
    assert found("worker_without_wage_income", make) == {"worker_no_wage", "zero_months"}
    assert sentence("wage_income_without_worker") == (
        "户主 张* 户当年工资性收入 6,000 元，2 名成员均登记为未务工"
    )


def test_dibao_and_destitute_benefits(make):  # noqa: F811
    income(make("both", [HEAD], kind="dibao"), dibao_income=1200, destitute_income=Decimal("0.01"))
    income(make("dibao_only", [HEAD], kind="dibao"), dibao_income=1200)
    income(make("dibao_zero", [HEAD], kind="dibao"))
    make("dibao_no_record", [HEAD], kind="dibao")  # no income of the year: not this check's
    income(make("destitute_only", [HEAD], kind="destitute"), destitute_income=3000)
    income(make("destitute_zero", [HEAD], kind="destitute"), dibao_income=1200)
    income(make("ordinary_dibao", [HEAD], kind="ordinary"), dibao_income=600)
    income(make("ordinary_destitute", [HEAD], kind="ordinary"), destitute_income=1)
    income(make("ordinary", [HEAD], kind="ordinary"))
    assert found("dibao_and_destitute_income", make) == {"both"}
    assert found("dibao_household_without_dibao_income", make) == {"dibao_zero"}
    assert found("destitute_household_without_destitute_income", make) == {"destitute_zero"}
    assert found("ordinary_household_with_assistance_income", make) == {
        "ordinary_dibao",
        "ordinary_destitute",
    }
    assert sentence("dibao_and_destitute_income") == (
        "户主 张* 户当年同时有低保金 1,200 元和特困供养金 0.01 元"
    )
    assert sentence("dibao_household_without_dibao_income") == (
        "户主 张* 户属性为低保贫困户，当年低保金为 0 元"
    )
