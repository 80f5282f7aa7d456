"""The area generator: real county chain from stdnum, generated townships and villages."""

from __future__ import annotations

import random

from jingzhun.areas.models import Area
from jingzhun.areas.services import CountyShape, current_county_codes, generate_county


def test_current_county_codes_of_yunnan_are_the_129_current_ones():
    codes = current_county_codes("53")

    assert len(codes) == 129
    assert "532527" in codes  # 泸西县
    assert "530121" not in codes  # 呈贡县, became a district in 2011
    assert "530101" not in codes  # 市辖区 placeholder
    assert all(not code.endswith("00") for code in codes)


def test_generate_county_builds_the_demo_shape(db):
    villages = generate_county("532527", rng=random.Random(1))

    county = Area.objects.get(code="532527000000")
    assert [a.name for a in county.ancestors()] == ["云南省", "红河哈尼族彝族自治州"]
    assert county.name == "泸西县"
    assert county.rural_income_per_capita is not None
    assert county.education_balance_year in (2016, 2017, 2018)
    townships = Area.objects.filter(level="township", parent=county).order_by("code")
    assert townships.count() == 15
    assert townships[0].code == "532527100000"
    assert townships[14].code == "532527114000"
    assert len(villages) == Area.objects.filter(level="village").count() == 139
    assert all(v.code[:9] == v.parent_id[:9] and int(v.code[9:]) >= 201 for v in villages)
    assert all(v.name.endswith("村") for v in villages)
    assert sum(v.rural_population for v in villages) == 304_000
    poor = [v for v in villages if v.poor_village]
    exited = [v for v in poor if v.poor_village_exited_on]
    planned = [v for v in poor if not v.poor_village_exited_on and v.poor_village_planned_exit_year]
    assert len(poor) == 100
    assert len(exited) == 30
    assert len(planned) == 41
    assert {v.poor_village_exited_on.year for v in exited} <= {2016, 2017, 2018}
    assert all(v.poor_village_planned_exit_year == v.poor_village_exited_on.year for v in exited)
    assert {v.poor_village_planned_exit_year for v in planned} == {2018}
    assert not any(
        v.poor_village_exited_on or v.poor_village_planned_exit_year
        for v in villages
        if not v.poor_village
    )
    infrastructure = (
        "hardened_road",
        "safe_water",
        "grid_power",
        "broadband",
        "radio_tv",
        "clinic_with_doctor",
        "public_space",
    )
    assert all(getattr(v, f) for v in exited for f in infrastructure)
    assert any(not getattr(v, f) for v in poor if v not in exited for f in infrastructure)


def test_generate_county_reuses_the_province_and_city(db):
    generate_county(
        "532527",
        CountyShape(
            townships=2, villages=3, poor_villages=1, exited_poor_villages=0, rural_population=900
        ),
    )
    generate_county(
        "532501",
        CountyShape(
            townships=1, villages=1, poor_villages=0, exited_poor_villages=0, rural_population=100
        ),
    )

    assert Area.objects.filter(level="province").count() == 1
    assert Area.objects.filter(level="city").count() == 1
    assert Area.objects.get(code="532501000000").name == "个旧市"
    assert Area.objects.filter(level="village").count() == 4
