"""Issue #10 item 1, acceptance: a seed-003-shaped county (139 villages, 100 poor, 30 exited, 41
planned for the run year) loads from the templates alone, areas then households, no admin step."""

from __future__ import annotations

import datetime
import io

import openpyxl

from jingzhun.areas.excel import import_areas
from jingzhun.areas.models import Area, exited_by, open_by, planned_in
from jingzhun.areas.services import CountyShape, ensure_county
from jingzhun.registry.excel import import_workbook
from jingzhun.registry.models import Household
from jingzhun.workbook import SYSTEM
from tests.factories import UserFactory, id_number

RUN_YEAR = 2018
SHAPE = CountyShape()  # the demo county's shape: 15 townships, 139 villages, 100/30/41


def area_rows(with_county: bool = True) -> list[list[object]]:
    """Header and rows of the 区划 sheet, written directly (no database involved)."""
    header = [
        "区划代码",
        "名称",
        "级别",
        "上级区划代码",
        "农村户籍人口",
        "贫困村",
        "贫困村出列日期",
        "贫困村计划出列年度",
        "通硬化路",
        "通自来水或安全饮水",
        "通动力电",
        "通宽带或4G",
        "通广播电视",
        "有卫生室及执业医生",
        "有公共活动场所",
        "村集体经济收入(元/年)",
        "农村居民人均可支配收入(元)",
        "农村居民人均可支配收入增幅(%)",
        "全省农村居民人均可支配收入增幅(%)",
        "义务教育发展基本均衡县认定年度",
    ]
    rows: list[list[object]] = [header]
    if with_county:
        rows.append(["532527", "泸西县", "县", "532500"] + [None] * 12 + [9500, 10.5, 9.2, 2017])
    per_township = [SHAPE.villages // SHAPE.townships + (i < SHAPE.villages % SHAPE.townships)
                    for i in range(SHAPE.townships)]  # fmt: skip
    index = 0
    for t, count in enumerate(per_township):
        township = f"532527{100 + t:03d}"
        rows.append([township, f"第{t + 1}镇", "乡镇", "532527"])
        for v in range(count):
            poor = index < SHAPE.poor_villages
            exited = index < SHAPE.exited_poor_villages
            planned = not exited and poor and index < SHAPE.exited_poor_villages + 41
            exit_year = 2016 + index % 3
            rows.append(
                [f"{township}{201 + v:03d}", f"第{t + 1}镇{v + 1}村", "村", township, 2000,
                 "是" if poor else "否",
                 datetime.date(exit_year, 12, 1) if exited else None,
                 exit_year if exited else (RUN_YEAR if planned else None),
                 *(["是"] * 7), 50000]
            )  # fmt: skip
            index += 1
    return rows


def to_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_county() -> None:
    villages = Area.objects.filter(level="village", code__startswith="532527")
    assert villages.count() == 139
    assert Area.objects.filter(level="township", code__startswith="532527").count() == 15
    assert villages.filter(poor_village=True).count() == 100
    assert villages.filter(exited_by(RUN_YEAR)).count() == 30
    assert villages.filter(planned_in(RUN_YEAR)).count() == 41
    assert villages.filter(open_by(RUN_YEAR)).count() == 70
    # The two facts sit in their two fields: the exit's date, and the plan's year.
    exited = villages.filter(poor_village_exited_on__isnull=False)
    assert exited.count() == 30
    assert {v.poor_village_exited_on.year for v in exited} == {2016, 2017, 2018}
    assert all(v.poor_village_planned_exit_year == v.poor_village_exited_on.year for v in exited)
    assert (
        villages.filter(
            poor_village_exited_on__isnull=True, poor_village_planned_exit_year=2018
        ).count()
        == 41
    )
    county = Area.objects.get(code="532527000000")
    assert county.education_balance_year == 2017


def test_a_county_user_loads_the_county_then_its_households_from_the_templates(db):
    county = ensure_county("532527")  # the county row, named from the national codes
    user = UserFactory(role="county_admin", area=county)
    rows = area_rows()
    rows[1][3] = None  # the county's parent may be left out: it is read from the code

    result = import_areas(to_xlsx({"区划": rows}), acting_user=user, name="泸西县区划.xlsx")

    assert result.errors == []
    assert result.completed == []
    check_county()
    households = import_workbook(
        to_xlsx(
            {
                "户": [
                    ["户编号", "所在行政村代码", "主要致贫原因", "识别年度"],
                    ["532527100201000001", "532527100201", "因病", 2015],
                    ["532527114209000001", "532527114209", "缺资金", 2016],
                ],
                "成员": [
                    ["户编号", "姓名", "证件号码", "与户主关系"],
                    ["532527100201000001", "张三", id_number(datetime.date(1970, 3, 4)), "户主"],
                    ["532527114209000001", "李四", id_number(datetime.date(1975, 5, 6)), "户主"],
                ],
            }
        ),
        acting_user=user,
        name="泸西县登记表.xlsx",
    )
    assert households.errors == []
    assert Household.objects.count() == 2


def test_the_system_loads_the_county_into_an_empty_database(db):
    assert not Area.objects.exists()

    result = import_areas(to_xlsx({"区划": area_rows()}), acting_user=SYSTEM)

    assert result.errors == []
    assert result.completed == ["530000000000", "532500000000"]
    assert Area.objects.get(code="532500000000").name == "红河哈尼族彝族自治州"
    check_county()
