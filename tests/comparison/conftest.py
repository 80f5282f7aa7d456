"""Fixtures of the comparison tests: a registered household and the department files that
speak of it."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from jingzhun.comparison.loading import load_dataset
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number


def sheet(header: list[str], rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def county(village):
    """A registered household of four and the department files that speak of it (and of two
    persons not registered): hits, near misses and edges for every shipped rule."""
    household = HouseholdFactory(village=village)
    people = {
        "head": PersonFactory(household=household, name="李四", relation="head"),
        "spouse": PersonFactory(
            household=household, name="王芳", relation="spouse", sex="female"
        ),
        "child": PersonFactory(
            household=household, name="李小明", relation="son", schooling="senior",
            birth_date=datetime.date(2006, 3, 1),
        ),
        "worker": PersonFactory(
            household=household, name="李大", relation="son", health="healthy", labour="lost",
            birth_date=datetime.date(1990, 1, 1),
        ),
    }  # fmt: skip
    outsiders = {"poor": id_number(), "better_off": id_number(), "dead": id_number()}
    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    head, spouse = people["head"].id_number, people["spouse"].id_number

    def load(kind: str, header: list[str], rows: list[list[object]]) -> None:
        result = load_dataset(
            sheet(header, rows), kind=kind, year=2019, acting_user=clerk, name=f"{kind}.xlsx"
        )
        assert result.ok, result.errors

    load(
        "deaths",
        ["证件号码", "姓名", "死亡日期", "数据来源"],
        [
            [head, "李四", "2019-05-01", "火化"],  # hit
            [spouse, "王芳", "2020-01-01", "火化"],  # edge: after the compared year
            [outsiders["dead"], "赵五", "2019-01-01", "火化"],  # not registered: nothing
        ],
    )
    load(
        "vehicles",
        ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"],
        [
            [head, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"],  # hit
            [spouse, "王芳", "云G54321", "三轮汽车", 30000, "2018-06-01"],  # edge: exactly 30,000
        ],
    )
    load(
        "payroll",
        ["证件号码", "姓名", "工作单位", "人员类别"],
        [[spouse, "王芳", "县农业局", "公务员"], [head, "李四", "某村委会", "村干部"]],
    )
    load(
        "assistance",
        [
            "证件号码",
            "姓名",
            "救助类别",
            "月保障金额（元）",
            "家庭年人均收入（元）",
            "起始日期",
            "状态",
        ],
        [
            [spouse, "王芳", "低保", 300, 2500, "2017-01-01", "在保"],  # hit: not marked
            [head, "李四", "低保", 300, 2500, "2017-01-01", "停保"],  # near miss: stopped
            [outsiders["poor"], "孙六", "特困", 500, 2000, "2016-01-01", "在保"],  # omission
            [outsiders["better_off"], "周七", "低保", 300, 5000, "2016-01-01", "在保"],  # above
        ],
    )
    return people, outsiders
