"""Loading a department's file: typed rows with provenance; every bad row and field named and
nothing stored; the same file twice changes nothing; scoped to the loader's area."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from jingzhun import idtokens
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import Dataset, DatasetRow
from tests.factories import UserFactory, id_number

pytestmark = pytest.mark.django_db

VEHICLE_HEADER = [
    "车主证件号码",
    "车主姓名",
    "号牌号码",
    "车辆类型",
    "购置价格（元）",
    "初次登记日期",
]


def xlsx(rows: list[list[object]], header: list[str] = VEHICLE_HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "车辆"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], header: list[str] = VEHICLE_HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def owner_number():
    return id_number(datetime.date(1975, 5, 6))


@pytest.fixture
def clerk(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


def vehicle(number: str, price: object = 86000, **extra: object) -> list[object]:
    row = {"id": number, "name": "李四", "plate": "云G12345", "type": "小型轿车", "price": price}
    row |= {"date": "2019-03-01"} | extra
    return list(row.values())


def test_a_vehicle_list_is_stored_typed_with_its_provenance(clerk, owner_number):
    content = xlsx(
        [vehicle(owner_number), vehicle(id_number(), 30000, date=datetime.date(2020, 1, 2))]
    )

    result = load_dataset(content, kind="vehicles", year=2019, acting_user=clerk, name="车辆.xlsx")

    assert result.ok and result.row_count == 2 and not result.unkeyed
    dataset = result.dataset
    assert (dataset.kind, dataset.year, dataset.area_id, dataset.rows) == (
        "vehicles",
        2019,
        clerk.area_id,
        2,
    )
    assert dataset.department == "公安局交警大队" and dataset.loaded_by == clerk
    assert len(dataset.checksum) == 64 and dataset.current
    first = DatasetRow.objects.get(dataset=dataset, row=2)
    assert (first.id_number, first.name, first.category, first.amount, first.date) == (
        owner_number,
        "李四",
        "小型轿车",
        Decimal("86000.00"),
        datetime.date(2019, 3, 1),
    )
    assert first.birth_date == datetime.date(1975, 5, 6)  # from the ID number
    entry = AuditEntry.objects.get(action=Action.IMPORT, model="comparison.dataset")
    assert entry.actor == clerk and entry.changes["rows"] == 2
    assert entry.area_code == clerk.area_id


def test_a_csv_loads_the_same(clerk, owner_number):
    result = load_dataset(
        csv_bytes([vehicle(owner_number)]), kind="vehicles", year=2019, acting_user=clerk,
        name="车辆.csv",
    )  # fmt: skip
    assert result.ok
    assert DatasetRow.objects.get().amount == Decimal("86000.00")


def test_gb18030_csv_as_excel_saves_it(clerk, owner_number):
    lines = [",".join(VEHICLE_HEADER), ",".join(str(v) for v in vehicle(owner_number))]
    content = "\n".join(lines).encode("gb18030")
    result = load_dataset(content, kind="vehicles", year=2019, acting_user=clerk, name="a.csv")
    assert result.ok and DatasetRow.objects.get().name == "李四"


def test_every_bad_row_and_field_is_named_and_nothing_is_stored(clerk, owner_number):
    content = xlsx(
        [
            vehicle("53252719750506", price=86000),  # too short
            vehicle(owner_number, price="八万"),
            vehicle(owner_number, type="飞机"),
            vehicle(owner_number, price=-1),
            vehicle(owner_number, date="去年"),
            vehicle("", price=5, type="巴士"),
        ]
    )

    result = load_dataset(content, kind="vehicles", year=2019, acting_user=clerk, name="a.xlsx")

    found = {(e.row, e.column, e.message) for e in result.errors}
    assert (2, "车主证件号码", "证件号码应为18位，实际为「53252719750506」") in found
    assert any(
        e.row == 3 and e.column == "购置价格（元）" and "「八万」" in e.message
        for e in result.errors
    )
    assert any(e.row == 4 and "「飞机」不是可选值（小型轿车、" in e.message for e in result.errors)
    assert (5, "购置价格（元）", "不能为负数，实际为「-1」") in found
    assert any(
        e.row == 6 and e.column == "初次登记日期" and "「去年」" in e.message for e in result.errors
    )
    assert [e.column for e in result.errors if e.row == 7] == ["车辆类型"]  # a blank ID: no error
    assert not Dataset.objects.exists() and not DatasetRow.objects.exists()


def test_a_missing_required_column_is_one_error_on_row_1(clerk, owner_number):
    header = [h for h in VEHICLE_HEADER if h != "购置价格（元）"]
    result = load_dataset(
        xlsx([vehicle(owner_number)[:4] + ["2019-03-01"]], header), kind="vehicles", year=2019,
        acting_user=clerk, name="a.xlsx",
    )  # fmt: skip
    assert [(e.row, e.message) for e in result.errors] == [(1, "缺少必填列「购置价格（元）」")]


def test_the_same_file_twice_changes_nothing_and_a_new_one_supersedes(clerk, owner_number):
    content = xlsx([vehicle(owner_number)])
    first = load_dataset(content, kind="vehicles", year=2019, acting_user=clerk, name="a.xlsx")

    again = load_dataset(content, kind="vehicles", year=2019, acting_user=clerk, name="b.xlsx")

    assert again.unchanged and again.dataset == first.dataset
    assert Dataset.objects.count() == 1 and DatasetRow.objects.count() == 1
    newer = load_dataset(
        xlsx([vehicle(owner_number), vehicle(id_number())]), kind="vehicles", year=2019,
        acting_user=clerk, name="c.xlsx",
    )  # fmt: skip
    assert newer.superseded == 1
    first.dataset.refresh_from_db()
    assert not first.dataset.current and newer.dataset.current
    assert DatasetRow.objects.count() == 3  # the earlier rows stay: findings keep their evidence


def test_a_row_without_an_id_is_kept_unkeyed(clerk, owner_number):
    result = load_dataset(
        xlsx([vehicle(owner_number), vehicle("")]), kind="vehicles", year=2019, acting_user=clerk,
        name="a.xlsx",
    )  # fmt: skip
    assert result.ok and result.unkeyed == 1
    assert DatasetRow.objects.get(row=3).id_number == ""


def test_an_id_failing_its_check_is_kept_for_fuzzy_linking(clerk, owner_number):
    wrong = owner_number[:-1] + ("0" if owner_number[-1] != "0" else "1")
    result = load_dataset(
        xlsx([vehicle(wrong)]), kind="vehicles", year=2019, acting_user=clerk, name="a.xlsx"
    )
    assert result.ok and result.unkeyed == 1
    row = DatasetRow.objects.get()
    assert (row.id_number, row.id_valid, row.birth_date) == (wrong, False, None)


def test_a_tokenised_file_stores_no_raw_id(clerk, owner_number):
    key = idtokens.new_key()
    header = ["车主证件号码（令牌）", *VEHICLE_HEADER[1:]]
    token = idtokens.token(owner_number, key)
    content = xlsx([[token, "ls", "云G12345", "小型轿车", 86000, "2019-03-01"]], header)

    result = load_dataset(
        content, kind="vehicles", year=2019, acting_user=clerk, name="t.xlsx",
        key_id=idtokens.key_id(key),
    )  # fmt: skip

    assert result.ok
    row = DatasetRow.objects.get()
    assert (row.id_token, row.id_number) == (token, "")
    assert result.dataset.key_id == idtokens.key_id(key)
    bad = load_dataset(
        xlsx([[owner_number, "ls", "云G1", "小型轿车", 1, "2019-03-01"]], header), kind="vehicles",
        year=2019, acting_user=clerk, name="t2.xlsx",
    )  # fmt: skip
    assert "应为 64 位令牌" in bad.errors[0].message  # a raw number in the token column


def test_scope_the_area_must_be_the_users_and_others_do_not_see_it(
    village, other_village, township_operator, owner_number
):
    content = xlsx([vehicle(owner_number)])
    refused = load_dataset(
        content, kind="vehicles", year=2019, acting_user=township_operator, name="a.xlsx",
        area_code=other_village.parent_id,
    )  # fmt: skip
    assert refused.errors[0].message == "该区划不在您的管辖范围内"
    loaded = load_dataset(
        content, kind="vehicles", year=2019, acting_user=township_operator, name="a.xlsx"
    )
    assert loaded.dataset.area_id == township_operator.area_id
    stranger = UserFactory(role="township_operator", area=other_village.parent)
    assert not Dataset.objects.visible_to(stranger).exists()
    assert Dataset.objects.visible_to(township_operator).get() == loaded.dataset


def test_a_viewer_may_not_load(viewer, owner_number):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        load_dataset(
            xlsx([vehicle(owner_number)]), kind="vehicles", year=2019, acting_user=viewer,
            name="a.xlsx",
        )  # fmt: skip


def test_the_command_loads_and_exits_1_with_an_error_file(village, tmp_path, owner_number, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx([vehicle(owner_number)]))
    bad.write_bytes(xlsx([vehicle(owner_number, price="八万")]))
    county = village.parent.parent_id

    call_command("load_dataset", "vehicles", str(good), "--year", "2019", "--area", county)

    assert "已导入 机动车登记 2019 年 1 行" in capsys.readouterr().out
    assert Dataset.objects.get().loaded_by is None
    with pytest.raises(SystemExit) as exit_:
        call_command("load_dataset", "vehicles", str(bad), "--year", "2019", "--area", county)
    assert exit_.value.code == 1
    assert "第2行 购置价格（元）" in capsys.readouterr().err
    assert (tmp_path / "bad.errors.xlsx").exists()
    assert Dataset.objects.count() == 1


def test_the_command_lists_the_kinds(capsys):
    call_command("load_dataset", "--kinds")
    out = capsys.readouterr().out
    assert "vehicles\t机动车登记（公安局交警大队）：车主证件号码*" in out


def test_a_file_from_jingzhun_tokenize_loads_and_the_tables_hold_no_raw_id(
    clerk, owner_number, tmp_path
):
    from jingzhun.comparison.tokenizing import tokenize_file
    from jingzhun.standards import dataset_kinds

    source, target = tmp_path / "车辆.xlsx", tmp_path / "车辆.tokens.xlsx"
    source.write_bytes(xlsx([vehicle(owner_number), vehicle("")]))
    key = idtokens.new_key()
    summary = tokenize_file(source, dataset_kinds.load("vehicles"), key, target)

    result = load_dataset(
        target.read_bytes(), kind="vehicles", year=2019, acting_user=clerk, name=target.name,
        key_id=summary.key_id,
    )  # fmt: skip

    assert result.ok and result.row_count == 2 and result.unkeyed == 1
    keyed = DatasetRow.objects.get(row=2)
    assert keyed.id_token == idtokens.token(owner_number, key)
    assert keyed.birth_date == datetime.date(1975, 5, 6)  # from the appended 出生日期 column
    assert keyed.name == "ls"  # reduced to initials
    stored = [str(v) for row in DatasetRow.objects.values() for v in row.values()]
    assert not any(owner_number in value or owner_number[:17] in value for value in stored)


def parquet_bytes(columns: dict[str, list[object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def test_the_command_loads_parquet_with_its_own_types_and_names_bad_rows(
    village, tmp_path, owner_number, capsys
):
    """A large list as a data platform exports it: dates, decimals and numbers typed by Parquet
    load as the same rows as the .xlsx; a bad cell is named by the row a spreadsheet shows."""
    columns = {
        "车主证件号码": [owner_number, owner_number],
        "车主姓名": ["李四", "李四"],
        "号牌号码": ["云G12345", "云G54321"],
        "车辆类型": ["小型轿车", "三轮汽车"],
        "购置价格（元）": [Decimal("86000.50"), Decimal("30000")],
        "初次登记日期": [datetime.date(2019, 3, 1), datetime.date(2018, 6, 1)],
    }
    good = tmp_path / "vehicles.parquet"
    good.write_bytes(parquet_bytes(columns))
    county = village.parent.parent_id

    call_command("load_dataset", "vehicles", str(good), "--year", "2019", "--area", county)

    assert "已导入 机动车登记 2019 年 2 行" in capsys.readouterr().out
    rows = list(DatasetRow.objects.order_by("row").values("row", "amount", "date", "category"))
    assert rows == [
        {"row": 2, "amount": Decimal("86000.50"), "date": datetime.date(2019, 3, 1),
         "category": "小型轿车"},
        {"row": 3, "amount": Decimal("30000.00"), "date": datetime.date(2018, 6, 1),
         "category": "三轮汽车"},
    ]  # fmt: skip
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(parquet_bytes(columns | {"车辆类型": ["小型轿车", "飞机"]}))
    with pytest.raises(SystemExit):
        call_command("load_dataset", "vehicles", str(bad), "--year", "2019", "--area", county)
    assert "第3行 车辆类型" in capsys.readouterr().err
    assert DatasetRow.objects.count() == 2


def test_a_file_that_is_not_parquet_is_refused_by_name(clerk):
    result = load_dataset(b"PAR1 not really", kind="vehicles", year=2019, acting_user=clerk,
                          name="a.parquet")  # fmt: skip
    assert [e.message for e in result.errors] == ["无法读取 Parquet 文件"]
