"""Department dataset kinds (数据比对的部门数据): what a department's file holds, declared as data.
Pure (no Django, no Ibis).

A kind (one TOML file in `datasets/`) names its department, how its rows find a person (an ID
number, or name + birth date + area when the list has none), and its columns: each a header as
the department's file spells it, a type, and the typed storage slot it is kept in. The slots are
the columns of the one table every dataset's rows live in (`comparison.DatasetRow`): typed, so
rules compile to plain comparisons on every engine. A column's `name` is what comparison rules
call the field. Every problem raises StandardError naming the file, the column and the key:
``vehicles.toml: 列 price: slot: 未知存储列 'amount9' (unknown slot 'amount9')``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jingzhun.standards.errors import StandardError

KINDS = Path(__file__).parent / "datasets"

# Storage slot → its type. `id_number`, `name`, `birth_date` and `area_code` are the person key
# (matching); the rest carry what the department says of the person.
SLOTS = {
    "id_number": "id_number",
    "name": "text",
    "birth_date": "date",
    "area_code": "area_code",
    "category": "text",
    "status": "text",
    "detail": "text",
    "flag": "bool",
    "amount": "number",
    "amount2": "number",
    "count": "number",
    "date": "date",
    "date2": "date",
    "year": "year",
}
TYPES = {"id_number", "text", "date", "area_code", "bool", "number", "year"}
PERSON_KEYS = {
    "id_number": ("id_number",),
    # A list without ID numbers (a village's roster, an older register): linked by name, birth
    # date and area, fuzzily, as "possible" matches a person confirms.
    "name_birth_area": ("name", "birth_date", "area_code"),
}
TOP_KEYS = {
    "id", "name", "name_en", "department", "department_en", "person_key", "description",
    "columns",
}  # fmt: skip
REQUIRED_TOP = ("id", "name", "name_en", "department", "department_en", "person_key", "columns")
COLUMN_KEYS = {"name", "header", "header_en", "slot", "required", "choices", "description"}
REQUIRED_COLUMN = ("name", "header", "header_en", "slot")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Column:
    name: str  # what rules call it: purchase_price
    header: str  # the department file's header: 购置价格（元）
    header_en: str
    slot: str  # the storage column: amount
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed values of a text column (empty: any)
    description: str = ""

    @property
    def type(self) -> str:
        return SLOTS[self.slot]


@dataclass(frozen=True)
class DatasetKind:
    id: str
    name: str
    name_en: str
    department: str
    department_en: str
    person_key: str  # id_number | name_birth_area
    columns: tuple[Column, ...]
    description: str = ""
    path: Path | None = None

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def by_slot(self) -> dict[str, Column]:
        return {c.slot: c for c in self.columns}

    @property
    def key_slots(self) -> tuple[str, ...]:
        return PERSON_KEYS[self.person_key]


def load(id_or_path: str | Path) -> DatasetKind:
    """A kind by id (`datasets/<id>.toml`) or by path."""
    path = Path(id_or_path)
    if not str(id_or_path).endswith(".toml"):
        path = KINDS / f"{id_or_path}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise StandardError(
            f"{path.name}: 找不到数据集类型文件 (dataset kind file not found)"
        ) from None
    return loads(text, path.name, path)


_loaded: tuple[tuple[tuple[str, int, int], ...], dict[str, DatasetKind]] | None = None


def available() -> dict[str, DatasetKind]:
    """Every shipped kind, by id. Parsed again only when a file changed (name, size or time):
    every page, rule file and run asks for them, and the kinds are frozen values."""
    global _loaded
    paths = sorted(KINDS.glob("*.toml"))
    stamp = tuple((str(p), (st := p.stat()).st_mtime_ns, st.st_size) for p in paths)
    if _loaded is None or _loaded[0] != stamp:
        kinds = [load(path) for path in paths]
        _loaded = (stamp, {kind.id: kind for kind in kinds})
    return dict(_loaded[1])


def read_toml(text: str, name: str, allowed: set[str], required: tuple[str, ...]) -> dict:
    """The top table of a TOML file with only `allowed` keys and every `required` one (the
    dataset kinds' and the comparison rulesets' first check), or StandardError naming `name`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StandardError(f"{name}: TOML 格式错误 (invalid TOML): {exc}") from None
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise StandardError(f"{name}: 未知的键 {unknown} (unknown keys)")
    for key in required:
        if key not in raw:
            raise StandardError(f"{name}: 缺少 {key} (missing {key})")
    return raw


def loads(text: str, name: str = "draft.toml", path: Path | None = None) -> DatasetKind:
    raw = read_toml(text, name, TOP_KEYS, REQUIRED_TOP)
    if not NAME_RE.match(str(raw["id"])):
        raise StandardError(f"{name}: id: 应为小写英文标识 (lower-case identifier): {raw['id']!r}")
    if raw["person_key"] not in PERSON_KEYS:
        raise StandardError(
            f"{name}: person_key: 应为 {sorted(PERSON_KEYS)} 之一 (one of): {raw['person_key']!r}"
        )
    if not isinstance(raw["columns"], list) or not raw["columns"]:
        raise StandardError(f"{name}: columns: 至少一列 (at least one column)")
    columns = tuple(_column(entry, name) for entry in raw["columns"])
    for attribute, what in (("name", "name"), ("slot", "slot"), ("header", "header")):
        seen: set[str] = set()
        for column in columns:
            value = getattr(column, attribute)
            if value in seen:
                raise StandardError(
                    f"{name}: 列 {column.name}: {what}: 重复 '{value}' (used twice)"
                )
            seen.add(value)
    slots = {c.slot for c in columns}
    for slot in PERSON_KEYS[raw["person_key"]]:
        if slot not in slots:
            raise StandardError(
                f"{name}: person_key {raw['person_key']}: 缺少存储列 {slot} 的列"
                f" (no column stored in {slot})"
            )
    return DatasetKind(
        id=raw["id"],
        name=str(raw["name"]),
        name_en=str(raw["name_en"]),
        department=str(raw["department"]),
        department_en=str(raw["department_en"]),
        person_key=raw["person_key"],
        columns=columns,
        description=str(raw.get("description", "")),
        path=path,
    )


def _column(entry: Any, file: str) -> Column:
    if not isinstance(entry, dict):
        raise StandardError(f"{file}: columns: 每列应为一个表 (each column is a table)")
    label = entry.get("name", "?")
    unknown = sorted(set(entry) - COLUMN_KEYS)
    if unknown:
        raise StandardError(f"{file}: 列 {label}: 未知的键 {unknown} (unknown keys)")
    for key in REQUIRED_COLUMN:
        if key not in entry:
            raise StandardError(f"{file}: 列 {label}: 缺少 {key} (missing {key})")
    if not NAME_RE.match(str(entry["name"])):
        raise StandardError(f"{file}: 列 {label}: name: 应为小写英文标识 (lower-case identifier)")
    if entry["slot"] not in SLOTS:
        raise StandardError(
            f"{file}: 列 {label}: slot: 未知存储列 '{entry['slot']}' (unknown slot"
            f" '{entry['slot']}'); 可用 (available): {', '.join(SLOTS)}"
        )
    choices = entry.get("choices", [])
    if choices and SLOTS[entry["slot"]] != "text":
        raise StandardError(f"{file}: 列 {label}: choices: 只用于文本列 (text columns only)")
    return Column(
        name=entry["name"],
        header=str(entry["header"]).strip(),
        header_en=str(entry["header_en"]).strip(),
        slot=entry["slot"],
        required=bool(entry.get("required", False)),
        choices=tuple(str(c) for c in choices),
        description=str(entry.get("description", "")),
    )
