from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jingzhun.standards import StandardError, available, load

HEADER = """id = "{id}"
name = "测试标准"
name_en = "Test standard"
region = "national"
year = 2018
version = "1"
"""

INCOME = """
[[household]]
id = "income"
label = "收入"
label_en = "Income"
value = "income_per_capita"
op = ">"
threshold = "poverty_line"
"""


def write(directory: Path, stem: str, body: str, header: bool = True) -> Path:
    path = directory / (stem + ".toml")
    path.write_text((HEADER.format(id=stem) if header else "") + body, encoding="utf-8")
    return path


def test_shipped_standards_load_with_their_indicator_counts():
    standards = {s.id: s for s in available()}

    assert sorted(standards) == ["national-2016", "yunnan-2018"]
    national, yunnan = standards["national-2016"], standards["yunnan-2018"]
    assert [i.id for i in national.household] == [
        "income", "food", "clothing", "education", "medical", "housing",
    ]  # fmt: skip
    assert [len(national.indicators(lv)) for lv in ("household", "village", "county")] == [6, 1, 1]
    assert [len(yunnan.indicators(lv)) for lv in ("household", "village", "county")] == [6, 10, 5]
    assert yunnan.extends == "national-2016"
    assert yunnan.region == "53"
    assert dict(yunnan.parameters) == {
        "incidence_max": Decimal(3),
        "collective_income_min": Decimal(20000),
    }


def test_threshold_resolves_poverty_line_parameter_and_year():
    yunnan = load("yunnan-2018")

    assert yunnan.threshold(yunnan.indicator("household", "income"), 2018) == Decimal(2995)
    assert yunnan.threshold(yunnan.indicator("household", "income"), 2019) == Decimal(3218)
    assert yunnan.threshold(yunnan.indicator("village", "incidence"), 2018) == Decimal(3)
    assert yunnan.threshold(yunnan.indicator("county", "education_balance"), 2020) == Decimal(2020)
    assert yunnan.threshold(yunnan.indicator("household", "pension"), 2018) == Decimal(0)


def test_poverty_line_missing_for_year_raises_standard_error():
    national = load("national-2016")

    with pytest.raises(StandardError, match="income: threshold: 2000 年没有扶贫标准线"):
        national.threshold(national.indicator("household", "income"), 2000)


def test_load_by_path(tmp_path):
    standard = load(write(tmp_path, "mine", INCOME))

    assert standard.id == "mine"
    assert standard.household[0].fields == ("income_per_capita",)


def test_extends_overrides_parameter_threshold_adds_and_removes(tmp_path):
    write(
        tmp_path,
        "base",
        INCOME
        + """
[parameters]
incidence_max = 2

[[household]]
id = "food"
label = "不愁吃"
label_en = "Food"
value = "food_secure"
op = "is_true"

[[village]]
id = "incidence"
label = "发生率"
label_en = "Incidence"
value = "incidence"
op = "<"
threshold = "incidence_max"
""",
    )
    child = load(
        write(
            tmp_path,
            "child",
            """extends = "base"
remove = ["food"]

[parameters]
incidence_max = 3

[[household]]
id = "income"
threshold = 5000

[[household]]
id = "measures"
label = "帮扶"
label_en = "Measures"
value = "measures"
op = ">="
threshold = 1
""",
        )
    )
    base = load(tmp_path / "base.toml")

    assert child.parameters["incidence_max"] == Decimal(3)
    assert base.parameters["incidence_max"] == Decimal(2)
    assert [i.id for i in child.household] == ["income", "measures"]
    income = child.indicator("household", "income")
    assert (income.threshold, income.op, income.label) == (Decimal(5000), ">", "收入")
    assert child.threshold(child.indicator("village", "incidence"), 2018) == Decimal(3)
    assert [i.id for i in base.household] == ["income", "food"]


def test_extends_switching_op_to_is_true_drops_parent_threshold(tmp_path):
    write(tmp_path, "base", INCOME)
    child = load(
        write(
            tmp_path,
            "child",
            'extends = "base"\n[[household]]\nid = "income"\n'
            'value = "has_income"\nop = "is_true"\n',
        )
    )

    assert (child.household[0].op, child.household[0].threshold) == ("is_true", None)


BROKEN = [
    # (what, body, expected message)
    (
        "unknown field",
        INCOME.replace('"income_per_capita"', '"incom"'),
        "broken.toml: 户 household 指标 income: value: 未知字段 'incom' "
        "(unknown field 'incom' for level household)",
    ),
    (
        "field of another level",
        INCOME.replace('"income_per_capita"', '"incidence"'),
        "broken.toml: 户 household 指标 income: value: 未知字段 'incidence'",
    ),
    (
        "unknown key",
        INCOME.replace('op = ">"', 'op = ">"\nthresold = 1'),
        "broken.toml: 户 household 指标 income: 未知键 'thresold' (unknown key 'thresold')",
    ),
    (
        "unknown level",
        INCOME.replace("[[household]]", "[[town]]"),
        "broken.toml: 未知层级 'town'",
    ),
    (
        "unknown top key",
        'regin = "53"\n' + INCOME,
        "broken.toml: 未知键 'regin' (unknown key 'regin')",
    ),
    (
        "bad op",
        INCOME.replace('op = ">"', 'op = "=>"'),
        "broken.toml: 户 household 指标 income: op: 未知比较符 '=>'",
    ),
    (
        "is_true with threshold",
        INCOME.replace('op = ">"', 'op = "is_true"').replace(
            '"income_per_capita"', '"food_secure"'
        ),
        "broken.toml: 户 household 指标 income: threshold: is_true 不带阈值",
    ),
    (
        "is_true on a number",
        INCOME.replace('op = ">"', 'op = "is_true"').replace('threshold = "poverty_line"', ""),
        "broken.toml: 户 household 指标 income: op: is_true 只能用于单个布尔字段",
    ),
    (
        "comparison without threshold",
        INCOME.replace('threshold = "poverty_line"', ""),
        "broken.toml: 户 household 指标 income: threshold: 比较符 '>' 需要阈值",
    ),
    (
        "bool field in arithmetic",
        INCOME.replace('"income_per_capita"', '"food_secure + 1"'),
        "broken.toml: 户 household 指标 income: value: 字段 'food_secure' 不是数值",
    ),
    (
        "comparison inside value",
        INCOME.replace('"income_per_capita"', '"income_per_capita > 3"'),
        "broken.toml: 户 household 指标 income: value: 不允许的写法 Compare",
    ),
    (
        "call inside value",
        INCOME.replace('"income_per_capita"', '"__import__(1)"'),
        "broken.toml: 户 household 指标 income: value: 不允许的写法 Call",
    ),
    (
        "unknown parameter",
        INCOME.replace('"poverty_line"', '"line_2018"'),
        "broken.toml: 户 household 指标 income: threshold: 未知参数 'line_2018'",
    ),
    (
        "too many decimals",
        INCOME.replace('"poverty_line"', "2995.00001"),
        "broken.toml: 户 household 指标 income: threshold: 最多 4 位小数",
    ),
    (
        "duplicate indicator id",
        INCOME + INCOME,
        "broken.toml: 户 household 指标 income: id: 指标 id 重复 (duplicate indicator id)",
    ),
    (
        "missing label",
        INCOME.replace('label = "收入"\n', ""),
        "broken.toml: 户 household 指标 income: label: 缺少必填项",
    ),
    (
        "unknown placeholder",
        INCOME + 'explain = "收入 {valu}"\n',
        "broken.toml: 户 household 指标 income: explain: 未知占位符 {valu}",
    ),
    (
        "bad when_null",
        INCOME + 'when_null = "maybe"\n',
        "broken.toml: 户 household 指标 income: when_null: 只能是 met 或 unmet",
    ),
    (
        "remove unknown",
        'remove = ["food"]\n' + INCOME,
        "broken.toml: remove: 没有可删除的指标 'food'",
    ),
    (
        "extends unknown",
        'extends = "nowhere"\n' + INCOME,
        "broken.toml: extends: 未找到标准 'nowhere'",
    ),
]


@pytest.mark.parametrize(("what", "body", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_file_indicator_and_field(tmp_path, what, body, message):
    path = write(tmp_path, "broken", body)

    with pytest.raises(StandardError) as caught:
        load(path)

    assert str(caught.value).startswith(message)


def test_missing_year_is_refused(tmp_path):
    path = write(tmp_path, "broken", HEADER.format(id="broken").replace("year = 2018\n", ""), False)

    with pytest.raises(StandardError, match=r"^broken\.toml: year: 缺少必填项"):
        load(path)


def test_id_must_match_file_name(tmp_path):
    path = write(tmp_path, "broken", HEADER.format(id="other"), False)

    with pytest.raises(StandardError, match=r"^broken\.toml: id: 'other' 与文件名不一致"):
        load(path)


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "broken", "[[household]\n")

    with pytest.raises(StandardError, match=r"^broken\.toml: TOML 语法错误"):
        load(path)


def test_cyclic_extends_is_refused(tmp_path):
    write(tmp_path, "a", 'extends = "b"\n')
    write(tmp_path, "b", 'extends = "a"\n')

    with pytest.raises(StandardError, match=r"^a\.toml: extends: 循环继承 a → b → a"):
        load(tmp_path / "a.toml")


def test_error_in_child_override_names_the_child_file(tmp_path):
    write(tmp_path, "base", INCOME)
    path = write(tmp_path, "child", 'extends = "base"\n[[household]]\nid = "income"\nop = "~"\n')

    with pytest.raises(StandardError, match=r"^child\.toml: 户 household 指标 income: op: "):
        load(path)
