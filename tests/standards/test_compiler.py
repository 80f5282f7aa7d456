"""Verdicts for every indicator of both shipped standards on hand-built fixtures, on DuckDB and on
SQLite (identical verdicts, boundaries included), and the explanations."""

from __future__ import annotations

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from jingzhun.standards import load, vocabulary
from jingzhun.standards.compiler import evaluate
from jingzhun.standards.explain import explain, explain_expr, number

GOOD_HOUSEHOLD = {
    "village_code": "530102001001", "status": "poor", "kind": "general", "members": 3,
    "income_per_capita": 5000.0, "net_income": 15000.0, "transfer_share": 10.0,
    "has_income": True, "food_secure": True, "clothing_secure": True, "housing_safe": True,
    "water_safe": True, "dropouts": 0, "medical_uninsured": 0, "serious_illness_uninsured": 0,
    "seriously_ill_uninsured": 0, "pension_due": 2, "pension_uninsured": 0, "measures": 2,
}  # fmt: skip
# household_id: (changes, unmet under national-2016 in 2018, unmet under yunnan-2018)
HOUSEHOLDS = {
    1: ({}, set(), set()),
    2: ({"income_per_capita": 2995.0}, {"income"}, {"income"}),  # exactly on the line
    3: ({"income_per_capita": 2995.01}, set(), set()),  # 0.01 above
    4: ({"income_per_capita": 2995.00001}, {"income"}, {"income"}),  # on the line at 4 decimals
    5: ({"income_per_capita": None, "has_income": False}, {"income"}, {"income"}),  # no record
    6: ({"income_per_capita": 2870.0}, {"income"}, {"income"}),
    7: ({"food_secure": False}, {"food"}, set()),
    8: ({"clothing_secure": False}, {"clothing"}, set()),
    9: ({"dropouts": 1}, {"education"}, {"education"}),
    10: ({"dropouts": 0, "members": 1}, set(), set()),  # no school-age child: 0 dropouts
    11: ({"medical_uninsured": 1}, {"medical"}, {"medical"}),
    12: ({"serious_illness_uninsured": 1}, set(), {"medical"}),
    13: ({"housing_safe": False}, {"housing"}, {"housing"}),
    14: ({"housing_safe": None}, {"housing"}, {"housing"}),  # unknown is not met
    15: ({"pension_uninsured": 1}, set(), {"pension"}),
    16: ({"measures": 0}, set(), {"measures"}),
    17: ({"food_secure": None, "dropouts": None}, {"food", "education"}, {"education"}),
}

GOOD_VILLAGE = {
    "county_code": "530102", "poor_village": True, "exited_year": None,
    "planned_exit_year": None, "rural_population": 1000, "poor_persons": 10, "incidence": 1.0,
    "hardened_road": True, "grid_power": True,
    "radio_tv": True, "broadband": True, "clinic_with_doctor": True, "safe_water": True,
    "unsafe_houses": 0, "public_space": True, "collective_income": 25000.0,
}  # fmt: skip
VILLAGES = {
    "v01": ({}, set(), set()),
    "v02": ({"incidence": 1.99}, set(), set()),
    "v03": ({"incidence": 2.0}, {"incidence"}, set()),  # on the national limit
    "v04": ({"incidence": 3.0}, {"incidence"}, {"incidence"}),  # on the western limit
    "v05": ({"rural_population": 0, "poor_persons": 0, "incidence": None},
            {"incidence"}, {"incidence"}),  # zero rural population: incidence NULL
    "v06": ({"hardened_road": False}, set(), {"road"}),
    "v07": ({"grid_power": False}, set(), {"power"}),
    "v08": ({"radio_tv": False}, set(), {"radio_tv"}),
    "v09": ({"broadband": False}, set(), {"broadband"}),
    "v10": ({"clinic_with_doctor": False}, set(), {"clinic"}),
    "v11": ({"safe_water": False}, set(), {"water"}),
    "v12": ({"unsafe_houses": 1}, set(), {"housing"}),
    "v13": ({"public_space": False}, set(), {"public_space"}),
    "v14": ({"collective_income": 19999.99}, set(), {"collective_income"}),
    "v15": ({"collective_income": 20000.0}, set(), set()),  # exactly the minimum (>=)
    "v16": ({"collective_income": None}, set(), {"collective_income"}),
}  # fmt: skip

GOOD_COUNTY = {
    "rural_population": 100000, "poor_persons": 1000, "incidence": 1.0,
    "rural_income_growth": 9.6, "province_income_growth": 9.5, "poor_villages": 10,
    "exited_poor_villages": 10, "exited_village_share": 100.0, "registered_households": 500,
    "households_with_measures": 500, "measure_coverage": 100.0, "education_balance_year": 2017,
}  # fmt: skip
COUNTIES = {
    "c01": ({}, set(), set()),
    "c02": ({"incidence": 2.5}, {"incidence"}, set()),
    "c03": ({"incidence": 3.0}, {"incidence"}, {"incidence"}),
    "c04": ({"rural_income_growth": 9.5}, set(), {"income_growth"}),  # equal growth: not above
    "c05": ({"rural_income_growth": None}, set(), {"income_growth"}),
    "c06": ({"exited_poor_villages": 8, "exited_village_share": 80.0}, set(), {"exited_villages"}),
    "c07": ({"exited_poor_villages": 9, "exited_village_share": 90.0}, set(), set()),
    # No poor villages: the share is NULL, "not applicable" = met (when_null = "met").
    "c08": ({"poor_villages": 0, "exited_poor_villages": 0, "exited_village_share": None},
            set(), set()),
    "c09": ({"measure_coverage": 99.99}, set(), {"measure_coverage"}),
    "c10": ({"education_balance_year": 2018}, set(), set()),  # certified in the assessed year
    "c11": ({"education_balance_year": 2019}, set(), {"education_balance"}),
    "c12": ({"education_balance_year": None}, set(), {"education_balance"}),
}  # fmt: skip

FIXTURES = {
    "household": ("household_id", GOOD_HOUSEHOLD, HOUSEHOLDS),
    "village": ("village_code", GOOD_VILLAGE, VILLAGES),
    "county": ("county_code", GOOD_COUNTY, COUNTIES),
}
CASES = [
    (standard, level)
    for standard in ("national-2016", "yunnan-2018")
    for level in ("household", "village", "county")
]


def frame(level: str) -> pa.Table:
    """The fixture rows with an explicit schema from the vocabulary (a NULL bool stays a bool)."""
    key, good, cases = FIXTURES[level]
    rows = [{key: k, **good, **changes} for k, (changes, _, _) in cases.items()]
    fields = vocabulary.LEVELS[level]
    types = {"bool": pa.bool_(), "year": pa.int64(), "text": pa.string()}
    schema = pa.schema(
        [
            (key, pa.int64() if key == "household_id" else pa.string()),
            *(
                (name, types.get(fields[name].type)
                 or (pa.float64() if isinstance(value, float) else pa.int64()))
                for name, value in good.items()
            ),
        ]
    )  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def run(backend, standard_id: str, level: str, year: int = 2018) -> pd.DataFrame:
    memtable = ibis.memtable(frame(level))
    table = backend.create_table("input_" + level, memtable, overwrite=True)
    result = evaluate(load(standard_id), level, table, year=year)
    key = FIXTURES[level][0]
    return result.order_by(key).execute().set_index(key)


def unmet(standard_id: str, level: str, row: pd.Series) -> set[str]:
    return {i.id for i in load(standard_id).indicators(level) if not row[f"{i.id}__met"]}


@pytest.fixture(scope="module")
def duckdb():
    return ibis.duckdb.connect()


@pytest.fixture(scope="module")
def sqlite():
    return ibis.sqlite.connect()


@pytest.mark.parametrize(("standard_id", "level"), CASES)
def test_verdicts_on_duckdb(duckdb, standard_id, level):
    cases = FIXTURES[level][2]
    column = 1 if standard_id == "national-2016" else 2
    result = run(duckdb, standard_id, level)

    got = {k: unmet(standard_id, level, result.loc[k]) for k in cases}
    assert got == {k: case[column] for k, case in cases.items()}
    assert {k: bool(result.loc[k, "met"]) for k in cases} == {
        k: not case[column] for k, case in cases.items()
    }


def test_every_indicator_of_both_standards_is_exercised_unmet():
    for standard_id, level in CASES:
        column = 1 if standard_id == "national-2016" else 2
        exercised = set().union(*(case[column] for case in FIXTURES[level][2].values()))
        assert exercised == {i.id for i in load(standard_id).indicators(level)}


@pytest.mark.parametrize(("standard_id", "level"), CASES)
def test_sqlite_gives_identical_results(duckdb, sqlite, standard_id, level):
    on_duckdb = run(duckdb, standard_id, level)
    on_sqlite = run(sqlite, standard_id, level)

    met_columns = [c for c in on_duckdb.columns if c.endswith("met")]
    assert on_sqlite[met_columns].astype(bool).equals(on_duckdb[met_columns].astype(bool))
    numeric = [c for c in on_duckdb.columns if c.endswith(("__value", "__threshold"))]
    for column in numeric:
        assert on_sqlite[column].astype("float64").tolist() == pytest.approx(
            on_duckdb[column].astype("float64").tolist(), nan_ok=True
        ), column


def test_result_columns_and_values(duckdb):
    result = run(duckdb, "national-2016", "household")

    assert list(result.columns[:3]) == ["income__value", "income__threshold", "income__met"]
    assert list(result.columns[-1:]) == ["met"]
    assert result.loc[3, "income__value"] == 2995.01
    assert result.loc[3, "income__threshold"] == 2995.0
    assert result.loc[4, "income__value"] == 2995.0
    assert pd.isna(result.loc[5, "income__value"])
    assert pd.isna(result.loc[1, "food__threshold"])


def test_assessed_year_changes_line_and_certification_year(duckdb):
    households = run(duckdb, "national-2016", "household", year=2019)
    counties = run(duckdb, "yunnan-2018", "county", year=2019)

    assert households.loc[3, "income__threshold"] == 3218.0
    assert not households.loc[3, "income__met"]
    assert bool(counties.loc["c11", "education_balance__met"])


def test_division_by_zero_is_null_and_not_met(tmp_path, duckdb, sqlite):
    path = tmp_path / "ratio.toml"
    path.write_text(
        'id = "ratio"\nname = "比例"\nname_en = "Ratio"\nregion = "national"\nyear = 2018\n'
        'version = "1"\n[[village]]\nid = "own_incidence"\nlabel = "自算发生率"\n'
        'label_en = "Computed incidence"\nvalue = "poor_persons / rural_population * 100"\n'
        'op = "<"\nthreshold = 3\n',
        encoding="utf-8",
    )
    standard = load(path)
    results = []
    for backend in (duckdb, sqlite):
        table = backend.create_table("ratio_input", ibis.memtable(frame("village")), overwrite=True)
        results.append(evaluate(standard, "village", table).order_by("village_code").execute())

    for result in results:
        by_code = result.set_index("village_code")
        assert pd.isna(by_code.loc["v05", "own_incidence__value"])
        assert not by_code.loc["v05", "own_incidence__met"]
        assert by_code.loc["v01", "own_incidence__value"] == 1.0
        assert bool(by_code.loc["v01", "own_incidence__met"])


def test_explanations(duckdb):
    national = load("national-2016")
    households = run(duckdb, "national-2016", "household")
    villages = run(duckdb, "yunnan-2018", "village")
    counties = run(duckdb, "yunnan-2018", "county")
    yunnan = load("yunnan-2018")

    def row(frame, key):
        return frame.loc[key].to_dict()

    assert explain(national, "household", row(households, 6), year=2018) == [
        "人均纯收入 2,870 元，未超过 2018 年标准 2,995 元"
    ]
    assert explain(national, "household", row(households, 6), year=2018, language="en") == [
        "Per-capita net income 2,870 yuan, not above the 2018 line of 2,995 yuan"
    ]
    assert explain(national, "household", row(households, 2), year=2018) == [
        "人均纯收入 2,995 元，未超过 2018 年标准 2,995 元"
    ]
    assert explain(national, "household", row(households, 5), year=2018) == [
        "人均纯收入稳定超过国家扶贫标准未达标：无数据（缺少记录或分母为零）"
    ]
    assert explain(national, "household", row(households, 17), year=2018) == [
        "不愁吃未达标：无数据（缺少记录或分母为零）",
        "义务教育有保障（无辍学）未达标：无数据（缺少记录或分母为零）",
    ]
    assert explain(national, "household", row(households, 7), year=2018) == ["不愁吃未达标"]
    assert explain(national, "household", row(households, 1), year=2018) == []
    assert explain(yunnan, "village", row(villages, "v05"), year=2018) == [
        "贫困发生率低于标准未达标：无数据（缺少记录或分母为零）"
    ]
    assert explain(yunnan, "village", row(villages, "v05"), year=2018, language="en") == [
        "Poverty incidence below the limit not met: no data (missing record or zero denominator)"
    ]
    assert explain(yunnan, "village", row(villages, "v14"), year=2018) == [
        "村集体经济收入 19,999.99 元，低于 20,000 元"
    ]
    assert explain(yunnan, "village", row(villages, "v04"), year=2018) == [
        "贫困发生率 3.00%，未低于 3.00%"
    ]
    assert explain(yunnan, "county", row(counties, "c11"), year=2018) == [
        "义务教育均衡发展认定年度为 2019 年，晚于评估年度 2018 年"
    ]
    assert explain(yunnan, "county", row(counties, "c08"), year=2018) == []


def test_default_sentence_without_template(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text(
        'id = "plain"\nname = "简"\nname_en = "Plain"\nregion = "national"\nyear = 2018\n'
        'version = "1"\n[[village]]\nid = "pop"\nlabel = "人口"\nlabel_en = "Population"\n'
        'value = "rural_population"\nop = ">="\nthreshold = 1500\n',
        encoding="utf-8",
    )
    standard = load(path)
    row = {"pop__value": 1234.5, "pop__threshold": 1500.0, "pop__met": False}

    assert explain(standard, "village", row) == ["人口未达标：1,234.5（要求不低于 1,500）"]
    assert explain(standard, "village", row, language="en") == [
        "Population not met: 1,234.5 (required: at least 1,500)"
    ]


def test_number_formatting():
    assert [number(v) for v in (2870, 2995.0, 1234567.891, 0.5, 19999.99, -3)] == [
        "2,870", "2,995", "1,234,567.89", "0.5", "19,999.99", "-3",
    ]  # fmt: skip


def test_set_based_explanations_on_duckdb(duckdb):
    national = load("national-2016")
    memtable = ibis.memtable(frame("household"))
    table = duckdb.create_table("explain_input", memtable, overwrite=True)
    result = evaluate(national, "household", table, year=2018)
    texts = (
        result.select("household_id", text=explain_expr(national, "household", result, year=2018))
        .order_by("household_id")
        .execute()
        .set_index("household_id")["text"]
    )

    assert texts[1] == ""
    assert texts[6] == "人均纯收入 2,870 元，未超过 2018 年标准 2,995 元"
    assert texts[7] == "不愁吃未达标"
    assert (
        texts[17] == "不愁吃未达标：无数据（缺少记录或分母为零）;"
        "义务教育有保障（无辍学）未达标：无数据（缺少记录或分母为零）"
    )
