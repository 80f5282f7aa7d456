"""Token matching (issue #12 item 4): a tokenised file gives the same findings as the raw one,
and the database holds no raw ID number of the department's persons who match nobody."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import connection

from jingzhun import idtokens
from jingzhun.comparison.choices import LinkStatus, Method
from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.linkage import keys, tokens
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import Dataset, RowLink
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.comparison.tokenizing import tokenize_file
from jingzhun.standards import dataset_kinds
from tests.comparison.conftest import sheet
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_dir(tmp_path, settings):
    folder = tmp_path / "agreement-keys"
    folder.mkdir()
    settings.AGREEMENT_KEYS_DIR = folder
    return folder


@pytest.fixture
def registry(village):
    household = HouseholdFactory(village=village)
    head = PersonFactory(household=household, name="李四", relation="head")
    spouse = PersonFactory(household=household, name="王芳", relation="spouse", sex="female")
    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    outsiders = {"poor": id_number(), "better_off": id_number(), "dead": id_number()}
    return head, spouse, clerk, outsiders


def files(head, spouse, outsiders) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The department files of `tests/comparison/conftest.py::county`: hits, near misses, an
    omission and persons matching nobody."""
    h, s = head.id_number, spouse.id_number
    return {
        "deaths": (
            ["证件号码", "姓名", "死亡日期", "数据来源"],
            [[h, "李四", "2019-05-01", "火化"], [s, "王芳", "2020-01-01", "火化"],
             [outsiders["dead"], "赵五", "2019-01-01", "火化"]],
        ),
        "vehicles": (
            ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"],
            [[h, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"],
             [s, "王芳", "云G54321", "三轮汽车", 30000, "2018-06-01"]],
        ),
        "assistance": (
            ["证件号码", "姓名", "救助类别", "月保障金额（元）", "家庭年人均收入（元）", "起始日期",
             "状态"],
            [[s, "王芳", "低保", 300, 2500, "2017-01-01", "在保"],
             [h, "李四", "低保", 300, 2500, "2017-01-01", "停保"],
             [outsiders["poor"], "孙六", "特困", 500, 2000, "2016-01-01", "在保"],
             [outsiders["better_off"], "周七", "低保", 300, 5000, "2016-01-01", "在保"]],
        ),
    }  # fmt: skip


def load_raw(clerk, kind, header, rows):
    result = load_dataset(
        sheet(header, rows), kind=kind, year=2019, acting_user=clerk, name=f"{kind}.xlsx"
    )
    assert result.ok, result.errors
    return result


def load_tokenised(tmp_path, clerk, kind, header, rows, key):
    source, target = tmp_path / f"{kind}.xlsx", tmp_path / f"{kind}.tokens.xlsx"
    source.write_bytes(sheet(header, rows))
    summary = tokenize_file(source, dataset_kinds.load(kind), key, target)
    result = load_dataset(
        target.read_bytes(),
        kind=kind,
        year=2019,
        acting_user=clerk,
        name=target.name,
        key_id=summary.key_id,
    )
    assert result.ok, result.errors
    return result


def shape(findings) -> set[tuple]:
    """What a finding says, apart from the row it came from and an omission's name (a
    tokenised file keeps only its initials)."""
    return {
        (
            f.rule.id,
            f.person_id,
            f.household_id,
            f.village_code,
            tuple(sorted((k, v) for k, v in f.values.items() if k != "name")),
        )
        for f in findings
    }


def test_registry_tokens_are_the_departments_tokens(registry, key_dir):
    head, spouse, _clerk, _outsiders = registry
    key = idtokens.new_key()

    computed = tokens.registry_tokens(key).to_pylist()

    assert {row["token"]: (row["person_id"], row["area_code"]) for row in computed} == {
        idtokens.token(head.id_number, key): (head.pk, head.household.village_id),
        idtokens.token(spouse.id_number, key): (spouse.pk, spouse.household.village_id),
    }


@pytest.mark.parametrize("size", [32, 64, 65, 100])
def test_registry_tokens_are_hmac_for_keys_of_every_length(registry, key_dir, size):
    """DuckDB's HMAC composition pads a key up to the block and hashes a longer one first."""
    head, _spouse, _clerk, _outsiders = registry
    key = bytes(range(size))
    computed = {row["person_id"]: row["token"] for row in tokens.registry_tokens(key).to_pylist()}
    assert computed[head.pk] == idtokens.token(head.id_number, key)


def test_a_tokenised_file_gives_the_same_findings_as_the_raw_one(registry, key_dir, tmp_path):
    head, spouse, clerk, outsiders = registry
    idtokens.write_key(key_dir / "minzheng.key")
    key = idtokens.load_key(key_dir / "minzheng.key")
    for kind, (header, rows) in files(head, spouse, outsiders).items():
        load_raw(clerk, kind, header, rows)
    raw = evaluate("national-2016", year=2019)

    for kind, (header, rows) in files(head, spouse, outsiders).items():
        result = load_tokenised(tmp_path, clerk, kind, header, rows, key)
        assert result.superseded == 1 and result.dataset.tokens_linked
    tokenised = evaluate("national-2016", year=2019)

    assert {f.rule.id for f in raw} >= {"deceased", "vehicle", "dibao_unmarked"}
    assert "dibao_not_registered" in {f.rule.id for f in raw}  # the omission, by token too
    assert shape(tokenised) == shape(raw)
    omission = next(f for f in tokenised if f.rule.id == "dibao_not_registered")
    assert omission.values["name"] == "sl" and omission.person_id is None
    links = RowLink.objects.filter(method=Method.TOKEN, status=LinkStatus.CONFIRMED)
    assert links.count() == 6  # the registered head and spouse's rows, not the outsiders'


def scan(values: list[str]) -> dict[str, list[str]]:
    """Every table of the database whose any column holds one of `values` (as text)."""
    hits: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for record in cursor.fetchall():
                text = " ".join(str(value) for value in record)
                for value in values:
                    if value in text:
                        hits.setdefault(value, []).append(table)
    return hits


def test_the_database_holds_no_raw_id_of_non_matching_department_rows(registry, key_dir, tmp_path):
    head, spouse, clerk, outsiders = registry
    idtokens.write_key(key_dir / "minzheng.key")
    key = idtokens.load_key(key_dir / "minzheng.key")
    for kind, (header, rows) in files(head, spouse, outsiders).items():
        load_tokenised(tmp_path, clerk, kind, header, rows, key)
    run = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    assert run.status == "finished" and run.counts["dibao_not_registered"]["found"] == 1

    raw = list(outsiders.values())
    hits = scan([*raw, *(number[:17] for number in raw), head.id_number, key.hex()])

    assert not {number: hits.get(number) for number in raw if number in hits}
    assert not [n for n in raw if n[:17] in hits]  # nor without its check digit
    assert key.hex() not in hits  # the key stays in its file
    assert "registry_person" in hits[head.id_number]  # the scan does find a stored number
    token = idtokens.token(outsiders["poor"], key)
    assert "comparison_datasetrow" in scan([token])[token]  # the row is kept, by its token


def test_without_the_agreement_key_token_rows_are_neither_matched_nor_omissions(
    registry, key_dir, tmp_path
):
    head, spouse, clerk, outsiders = registry
    key = idtokens.new_key()  # the department's; the county has not put it in its folder
    header, rows = files(head, spouse, outsiders)["assistance"]

    result = load_tokenised(tmp_path, clerk, "assistance", header, rows, key)

    assert result.links.missing_keys == [idtokens.key_id(key)]
    assert not result.dataset.tokens_linked and not RowLink.objects.exists()
    rules = {f.rule.id for f in evaluate("national-2016", year=2019)}
    assert "dibao_not_registered" not in rules and "dibao_unmarked" not in rules

    (key_dir / "minzheng.key").write_text(key.hex() + "\n")
    os.chmod(key_dir / "minzheng.key", 0o600)
    call_command("link_datasets")

    assert Dataset.objects.get(pk=result.dataset.pk).tokens_linked
    rules = {f.rule.id for f in evaluate("national-2016", year=2019)}
    assert {"dibao_not_registered", "dibao_unmarked"} <= rules


def test_a_key_file_others_may_read_is_refused(key_dir):
    idtokens.write_key(key_dir / "minzheng.key")
    key = idtokens.load_key(key_dir / "minzheng.key")
    assert keys.agreement_key(idtokens.key_id(key)) == key
    assert keys.agreement_key(idtokens.key_id(idtokens.new_key())) is None

    os.chmod(key_dir / "minzheng.key", 0o644)

    with pytest.raises(keys.KeyFileError, match="0600"):
        keys.agreement_key(idtokens.key_id(key))


def test_the_load_command_says_what_was_linked_and_which_key_is_missing(
    registry, key_dir, tmp_path, capsys
):
    head, spouse, clerk, outsiders = registry
    key = idtokens.new_key()
    header, rows = files(head, spouse, outsiders)["assistance"]
    source, target = tmp_path / "a.xlsx", tmp_path / "a.tokens.xlsx"
    source.write_bytes(sheet(header, rows))
    key_id = tokenize_file(source, dataset_kinds.load("assistance"), key, target).key_id
    county = ["--year", "2019", "--area", clerk.area_id, "--key-id", key_id]

    call_command("load_dataset", "assistance", str(target), *county)
    assert f"未持有协议密钥 {key_id}" in capsys.readouterr().out

    (key_dir / "minzheng.key").write_text(key.hex() + "\n")
    os.chmod(key_dir / "minzheng.key", 0o600)
    rows[3][3] = 320  # the department's next file (an amount changed), linked on load
    source.write_bytes(sheet(header, rows))
    newer = tmp_path / "b.tokens.xlsx"
    tokenize_file(source, dataset_kinds.load("assistance"), key, newer)
    call_command("load_dataset", "assistance", str(newer), *county, "--received", "2020-01-02")
    assert "按令牌匹配到在册人员 2 行" in capsys.readouterr().out


def test_a_run_links_a_person_registered_after_the_tokenised_list_was_loaded(
    registry, key_dir, tmp_path
):
    """The omission of a tokenised list is judged against the registry as it is at the run:
    a recipient registered since the load is linked by the run, no longer an omission."""
    head, spouse, clerk, outsiders = registry
    idtokens.write_key(key_dir / "minzheng.key")
    key = idtokens.load_key(key_dir / "minzheng.key")
    header, rows = files(head, spouse, outsiders)["assistance"]
    load_tokenised(tmp_path, clerk, "assistance", header, rows, key)
    first = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    assert first.counts["dibao_not_registered"]["found"] == 1  # 孙六, not registered

    household = HouseholdFactory(village=head.household.village)
    sun = PersonFactory(
        household=household, name="孙六", relation="head", id_number=outsiders["poor"]
    )
    second = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))

    assert second.counts["dibao_not_registered"] == {"found": 0, "new": 0, "resolved": 1}
    assert RowLink.objects.filter(person=sun, method=Method.TOKEN).exists()
