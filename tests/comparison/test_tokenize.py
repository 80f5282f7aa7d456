"""Keyed ID tokens and `jingzhun tokenize` (issue #12 item 4): no raw number leaves a department."""

from __future__ import annotations

import csv
import datetime
import io
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from jingzhun import idcodes, idtokens
from jingzhun.comparison.tokenizing import TokenizeError, default_target, tokenize_file
from jingzhun.standards import dataset_kinds
from tests.factories import id_number

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")

places = st.sampled_from(["110101", "532527", "440106", "530102"])
dates_1900s = st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(1999, 12, 31))
dates_2000s = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2020, 12, 31))


def forms(number: str) -> list[str]:
    """The spellings of one number a department's file may hold."""
    spelled = [
        number,
        number.lower(),
        number.translate(FULL_WIDTH),
        number.lower().translate(FULL_WIDTH),
        f" {number[:6]} {number[6:14]} {number[14:]} ",
    ]
    if number[6:8] == "19":
        spelled.append(number[:6] + number[8:17])  # the old 15-digit number
    return spelled


@given(places, dates_1900s | dates_2000s, st.integers(0, 499), st.booleans())
def test_every_form_of_a_number_gives_one_token(place, born, sequence, female):
    number = idcodes.make(place, born, sequence, female=female)
    tokens = {idtokens.token(form, KEY) for form in forms(number)}
    assert tokens == {idtokens.token(number, KEY)}
    (only,) = tokens
    assert idtokens.is_token(only)
    assert idtokens.token(number, OTHER_KEY) != only


def test_a_number_ending_in_x_matches_its_lower_case_and_full_width_forms():
    born = datetime.date(1985, 3, 9)
    made = (idcodes.make("532527", born, s, female=False) for s in range(500))
    number = next(n for n in made if n.endswith("X"))
    assert idtokens.token(number.lower(), KEY) == idtokens.token(number, KEY)
    assert idtokens.token(number.translate(FULL_WIDTH).lower(), KEY) == idtokens.token(number, KEY)


def test_token_is_hmac_sha256_of_the_normalised_number():
    import hashlib
    import hmac

    number = "11010119800101001X"
    expected = hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest()
    assert idtokens.token(number.lower(), KEY) == expected


def test_token_refuses_an_empty_number_and_a_short_key():
    with pytest.raises(ValueError, match="为空"):
        idtokens.token("  ", KEY)
    with pytest.raises(ValueError, match="密钥太短"):
        idtokens.token(id_number(), b"short")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * 64, True),
        ("0123456789abcdef" * 4, True),
        ("A" * 64, False),
        ("a" * 63, False),
        ("a" * 65, False),
        ("a" * 64 + "\n", False),
        ("g" * 64, False),
        ("", False),
    ],
)
def test_is_token(value, expected):
    assert idtokens.is_token(value) is expected


def test_key_id_is_a_short_fingerprint_that_differs_by_key():
    assert len(idtokens.key_id(KEY)) == 12
    assert idtokens.key_id(KEY) == idtokens.key_id(bytes(KEY))
    assert idtokens.key_id(KEY) != idtokens.key_id(OTHER_KEY)
    assert KEY.hex()[:12] not in idtokens.key_id(KEY)


def test_new_keys_are_32_random_bytes():
    first, second = idtokens.new_key(), idtokens.new_key()
    assert len(first) == 32
    assert first != second


def test_write_key_writes_hex_with_mode_0600_and_never_overwrites(tmp_path):
    path = tmp_path / "agreement.key"
    idtokens.write_key(path)
    text = path.read_text()
    assert len(text) == 65
    assert text.endswith("\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = idtokens.load_key(path)
    assert key.hex() + "\n" == text
    with pytest.raises(FileExistsError, match="已存在"):
        idtokens.write_key(path)
    assert path.read_text() == text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "找不到密钥文件"),
        ("zz" * 32, "不是十六进制"),
        ("ab" * 31, "密钥太短：31 字节"),
        ("", "密钥太短：0 字节"),
    ],
)
def test_load_key_names_the_problem(tmp_path, content, message):
    path = tmp_path / "agreement.key"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError, match=message):
        idtokens.load_key(path)


def test_load_key_accepts_surrounding_white_space_and_longer_keys(tmp_path):
    path = tmp_path / "agreement.key"
    path.write_text("  " + "ab" * 40 + "\r\n")
    assert idtokens.load_key(path) == bytes.fromhex("ab" * 40)


def test_reduce_name_keeps_only_initials():
    assert idtokens.reduce_name("张三") == "zs"
    assert idtokens.reduce_name(" 张 三 ") == "zs"
    assert idtokens.reduce_name("") == ""
    assert idtokens.reduce_name(None) == ""


def test_the_birth_date_a_failing_number_states():
    assert idtokens.claimed_birth_date("532527198001010010") == datetime.date(1980, 1, 1)
    assert idtokens.claimed_birth_date("532527 19800101 001x") == datetime.date(1980, 1, 1)
    assert idtokens.claimed_birth_date("532527198013010010") is None  # month 13
    assert idtokens.claimed_birth_date("532527185001010010") is None  # before 1900
    assert idtokens.claimed_birth_date("53252719800101") is None  # too short
    assert idtokens.claimed_birth_date("") is None


def test_birth_date_of_valid_numbers_only():
    assert idtokens.birth_date(id_number(datetime.date(1975, 6, 1))) >= datetime.date(1975, 6, 1)
    assert idtokens.birth_date("532527198001010010") is None  # wrong check digit
    assert idtokens.birth_date("") is None


# --- tokenize_file ---------------------------------------------------------------------------


def deaths_rows() -> tuple[list[list[object]], dict[str, str]]:
    """A deaths file: valid numbers in three spellings, an invalid one, an empty one."""
    valid = [id_number(datetime.date(1950, 2, 3)) for _ in range(3)]
    invalid = valid[0][:-1] + ("0" if valid[0][-1] != "0" else "1")
    rows = [
        ["证件号码", "姓名", "死亡日期", "数据来源", "备注"],
        [valid[0], "张三", "2024-03-01", "火化", "联系人 " + valid[2]],
        [valid[1].lower().translate(FULL_WIDTH), "李四", "2024-04-02", "户籍注销", ""],
        [valid[2][:6] + valid[2][8:17], "王五", "2024-05-03", "其他", ""],
        [invalid, "赵六", "2024-06-04", "火化", ""],
        ["", "钱七", "2024-07-05", "火化", ""],
        ["", "", "", "", ""],
        ["", "", "", "", "只有备注的一行"],  # blank in the kind's columns: not a row
    ]
    names = {valid[0]: "zs", valid[1]: "ls", valid[2]: "ww"}
    return rows, names


def write_xlsx(path: Path, rows: list[list[object]], leading_blank_rows: int = 0) -> None:
    book = Workbook()
    sheet = book.active
    for _ in range(leading_blank_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def read_output(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def every_cell(path: Path) -> list[str]:
    """Every cell of every sheet (and the raw bytes of a CSV) as text."""
    if path.suffix == ".csv":
        return [path.read_bytes().decode("utf-8-sig")]
    book = load_workbook(path)
    return [
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]


def assert_no_raw_number(path: Path, numbers: list[str]) -> None:
    spellings = {form.strip() for number in numbers for form in forms(number)}
    spellings |= {number[:17] for number in numbers}  # the invalid row's body
    for cell in every_cell(path):
        for spelled in spellings:
            assert spelled not in cell


@pytest.mark.parametrize(
    ("suffix", "encoding"),
    [(".xlsx", None), (".csv", "utf-8"), (".csv", "utf-8-sig"), (".csv", "gb18030")],
)
def test_deaths_file_is_tokenised(tmp_path, suffix, encoding):
    rows, names = deaths_rows()
    source = tmp_path / f"deaths{suffix}"
    if suffix == ".xlsx":
        write_xlsx(source, rows, leading_blank_rows=2)
    else:
        write_csv(source, rows, encoding)
    target = default_target(source)
    summary = tokenize_file(source, dataset_kinds.load("deaths"), KEY, target)

    assert target == tmp_path / f"deaths.tokens{suffix}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert (summary.rows, summary.tokenised, summary.unkeyed, summary.numeric_ids) == (5, 3, 2, 0)
    assert summary.key_id == idtokens.key_id(KEY)
    assert summary.dropped_columns == ("备注",)
    output = read_output(target)
    assert output[0] == ["证件号码（令牌）", "姓名", "死亡日期", "数据来源", "出生日期"]
    by_token = {idtokens.token(n, KEY): n for n in names}
    for row in output[1:4]:
        number = by_token[row[0]]
        assert row[1] == names[number]
        assert row[4] == idcodes.parse(number).birth_date.isoformat()
    assert [row[0] for row in output[4:]] == ["", ""]
    assert [row[1] for row in output[4:]] == ["zl", "qq"]
    # The invalid number's stated birth date is kept (for linking by name and birth date).
    assert [row[4] for row in output[4:]] == ["1950-02-03", ""]
    assert len(output) == 6  # the blank rows are not copied
    assert_no_raw_number(target, list(names))
    if suffix == ".xlsx":
        notes = load_workbook(target)["说明"]
        values = {row[0]: row[1] for row in notes.iter_rows(values_only=True)}
        assert values["密钥指纹 (key_id)"] == idtokens.key_id(KEY)
        assert values["数据集类型 (kind)"] == "deaths"
        assert values["行数 (rows)"] == 5
        assert values["无令牌 (unkeyed)"] == 2


def test_vehicles_file_with_english_headers_and_numbers_typed_as_numbers(tmp_path):
    text_number = id_number(datetime.date(1971, 1, 1))
    numeric = next(n for n in iter(id_number, None) if not n.endswith("X"))
    old = id_number(datetime.date(1962, 8, 8))
    rows = [
        ["Owner ID number", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期",
         "生产经营用车"],
        [text_number, "欧阳修", "云G12345", "小型轿车", 98000, datetime.date(2020, 5, 1), "否"],
        # An 18-digit number cell: Excel keeps 15 digits, so it is never trusted.
        [int(numeric), "孙八", "云G54321", "摩托车", 5000, datetime.date(2021, 1, 1), "是"],
        # A 15-digit old number typed as a number is exact.
        [int(old[:6] + old[8:17]), "周九", "云G00001", "轻型货车", 150000.5, "2019-09-09", True],
    ]  # fmt: skip
    source = tmp_path / "vehicles.xlsx"
    write_xlsx(source, rows)
    target = tmp_path / "out" / "v.csv"
    target.parent.mkdir()
    summary = tokenize_file(source, dataset_kinds.load("vehicles"), KEY, target)

    assert (summary.rows, summary.tokenised, summary.unkeyed, summary.numeric_ids) == (3, 2, 1, 1)
    assert summary.dropped_columns == ()
    output = read_output(target)
    assert output[0] == [
        "车主证件号码（令牌）", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）",
        "初次登记日期", "生产经营用车", "出生日期",
    ]  # fmt: skip
    assert output[1] == [
        idtokens.token(text_number, KEY), "oyx", "云G12345", "小型轿车", "98000", "2020-05-01",
        "否", idtokens.birth_date(text_number).isoformat(),
    ]  # fmt: skip
    assert output[2][:3] == ["", "sb", "云G54321"]
    assert output[2][-1] == ""
    assert output[3] == [
        idtokens.token(old, KEY), "zj", "云G00001", "轻型货车", "150000.5", "2019-09-09", "是",
        idtokens.birth_date(old).isoformat(),
    ]  # fmt: skip
    assert_no_raw_number(target, [text_number, numeric, old])


def test_formula_looking_cells_stay_text_in_xlsx(tmp_path):
    rows = [
        ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"],
        [id_number(), "张三", '=HYPERLINK("http://x","a")', "小型轿车", 1, "2020-01-01"],
    ]
    source = tmp_path / "v.csv"
    write_csv(source, rows, "utf-8")
    target = tmp_path / "v.xlsx"
    tokenize_file(source, dataset_kinds.load("vehicles"), KEY, target)
    cell = load_workbook(target).worksheets[0]["C2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","a")'


def test_an_existing_output_is_replaced_with_mode_0600(tmp_path):
    rows, _ = deaths_rows()
    source = tmp_path / "d.csv"
    write_csv(source, rows, "utf-8")
    target = tmp_path / "d.tokens.csv"
    target.write_text("old")
    target.chmod(0o644)
    tokenize_file(source, dataset_kinds.load("deaths"), KEY, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert read_output(target)[0][0] == "证件号码（令牌）"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["姓名", "死亡日期"], "找不到证件号码列"),
        (["证件号码（令牌）", "姓名"], "已经令牌化"),
        (["证件号码", "ID number"], "重复"),
    ],
)
def test_files_that_cannot_be_tokenised_write_nothing(tmp_path, header, message):
    source = tmp_path / "d.csv"
    write_csv(source, [header, ["x"] * len(header)], "utf-8")
    target = tmp_path / "d.tokens.csv"
    with pytest.raises(TokenizeError, match=message):
        tokenize_file(source, dataset_kinds.load("deaths"), KEY, target)
    assert not target.exists()


def test_refuses_the_input_as_output_other_suffixes_and_short_keys(tmp_path):
    rows, _ = deaths_rows()
    source = tmp_path / "d.csv"
    write_csv(source, rows, "utf-8")
    kind = dataset_kinds.load("deaths")
    with pytest.raises(TokenizeError, match="不能是输入文件"):
        tokenize_file(source, kind, KEY, source)
    with pytest.raises(TokenizeError, match=".xlsx 和 .csv"):
        tokenize_file(source, kind, KEY, tmp_path / "d.txt")
    with pytest.raises(TokenizeError, match="密钥太短"):
        tokenize_file(source, kind, b"short", tmp_path / "d.tokens.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


# --- the command (called as an instance: the app need not be installed) ----------------------


def test_command_new_key_and_tokenize(tmp_path):
    from jingzhun.comparison.management.commands.tokenize import Command

    key_file = tmp_path / "agreement.key"
    out = io.StringIO()
    call_command(Command(), "--new-key", str(key_file), stdout=out)
    key = idtokens.load_key(key_file)
    assert idtokens.key_id(key) in out.getvalue()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    rows, names = deaths_rows()
    source = tmp_path / "deaths.xlsx"
    write_xlsx(source, rows)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        Command(),
        str(source),
        "--kind",
        "deaths",
        "--key-file",
        str(key_file),
        stdout=out,
        stderr=err,
    )
    assert f"密钥指纹 key_id：{idtokens.key_id(key)}" in out.getvalue()
    assert "5 行，3 行已令牌化，2 行无有效证件号码" in out.getvalue()
    assert "备注" in err.getvalue()
    assert_no_raw_number(tmp_path / "deaths.tokens.xlsx", list(names))

    with pytest.raises(CommandError, match="已存在"):
        call_command(Command(), "--new-key", str(key_file))
    with pytest.raises(CommandError, match="用法"):
        call_command(Command(), str(source))
    with pytest.raises(CommandError, match="找不到数据集类型"):
        call_command(Command(), str(source), "--kind", "nosuch", "--key-file", str(key_file))
