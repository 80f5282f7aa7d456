"""Load and validate standard files (TOML). Pure (no Django, no Ibis).

Every problem raises StandardError with a message naming the file, then the level and indicator,
then the field of the file: ``national-2016.toml: 户 household 指标 income: value: 未知字段 'incom'
(unknown field 'incom')``. The checks go on after a mistake wherever the rest can still be
checked (every top-level key, every parameter, every indicator, the removals), and the one
StandardError raised carries all the problems found (`StandardError.problems`, each readable in
one language), so a draft is corrected in one pass.
"""

from __future__ import annotations

import contextlib
import re
import string
import tomllib
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jingzhun import povertylines
from jingzhun.standards import vocabulary
from jingzhun.standards.errors import Problem, StandardError
from jingzhun.standards.expression import ExpressionError, names, parse
from jingzhun.standards.schema import LEVEL_ZH, OPS, POVERTY_LINE, YEAR, Indicator, Standard

RULESETS = Path(__file__).parent / "rulesets"
TOP_KEYS = {
    "id", "name", "name_en", "region", "year", "version", "extends", "poverty_line_table",
    "parameters", "remove", "household", "village", "county",
}  # fmt: skip
REQUIRED_TOP = ("id", "name", "name_en", "region", "year", "version")
INDICATOR_KEYS = {
    "id", "label", "label_en", "value", "op", "threshold", "explain", "explain_en", "when_null",
}  # fmt: skip
REQUIRED_INDICATOR = ("id", "label", "label_en", "value", "op")
PLACEHOLDERS = {"value", "threshold", "year", "label"}
# Indicator ids become column names "<id>__value": lower-case identifiers without a double "_".
ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
RESERVED_IDS = {"met"} | set(vocabulary.KEYS.values())
MAX_DECIMALS = 4  # the compiler compares values scaled to this many decimals (see compiler.py)


def load(id_or_path: str | Path) -> Standard:
    """A standard by id (a file `<id>.toml` in rulesets/) or by path to a TOML file."""
    return _load(_resolve(id_or_path, None), ())


def loads(text: str, name: str = "draft.toml") -> Standard:
    """A standard from TOML text that is not a file on disk (a draft pasted or uploaded on a
    page). `name` is the virtual file name used in error messages only: the id need not match it,
    and `extends` resolves against the shipped rulesets only (never the working directory)."""
    return _load(Path(Path(name).name or "draft.toml"), (), text=text)


def available() -> list[Standard]:
    """Every shipped standard, by id."""
    return [load(path) for path in sorted(RULESETS.glob("*.toml"))]


def _resolve(id_or_path: str | Path, base: Path | None) -> Path:
    text = str(id_or_path)
    if isinstance(id_or_path, Path) or text.endswith(".toml") or "/" in text:
        return Path(id_or_path)
    for directory in [base, RULESETS]:
        if directory is not None and (directory / (text + ".toml")).is_file():
            return directory / (text + ".toml")
    where = base.name if base is not None else "rulesets"
    raise StandardError(f"未找到标准 '{text}' (no standard '{text}' in {where})")


def _fail(file: str, message: str, level: str | None = None, indicator: str | None = None):
    prefix = file
    if level is not None:
        prefix += f": {LEVEL_ZH.get(level, level)} {level}"
        if indicator is not None:
            prefix += f" 指标 {indicator}"
    raise StandardError(f"{prefix}: {message}", [Problem.parse(file, message, level, indicator)])


class _Problems:
    """Collects the problems of independent checks (`with problems.check(): …`), then raises
    them all at once (`raise_any`)."""

    def __init__(self) -> None:
        self.errors: list[StandardError] = []

    @contextlib.contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except StandardError as error:
            self.errors.append(error)

    def raise_any(self) -> None:
        if self.errors:
            raise StandardError(
                "\n".join(str(e) for e in self.errors),
                [problem for error in self.errors for problem in error.problems],
            )


def _load(path: Path, chain: tuple[Path, ...], text: str | None = None) -> Standard:
    file = path.name
    resolved = path.resolve()
    if resolved in chain:
        cycle = " → ".join(p.stem for p in (*chain, resolved))
        _fail(file, f"extends: 循环继承 {cycle} (cyclic extends)")
    try:
        if text is not None:
            data = tomllib.loads(text)
        else:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
    except FileNotFoundError:
        _fail(file, "文件不存在 (file not found)")
    except tomllib.TOMLDecodeError as exc:
        _fail(file, f"TOML 语法错误：{exc} (TOML syntax error)")

    problems = _Problems()
    for key in data:
        with problems.check():
            if key not in TOP_KEYS:
                if isinstance(data[key], list) and all(isinstance(v, dict) for v in data[key]):
                    _fail(
                        file,
                        f"未知层级 '{key}' "
                        f"(unknown level '{key}'; use household, village or county)",
                    )
                _fail(file, f"未知键 '{key}' (unknown key '{key}')")
    for key in REQUIRED_TOP:
        with problems.check():
            if key not in data:
                _fail(file, f"{key}: 缺少必填项 (missing required key '{key}')")
    for key in ("id", "name", "name_en", "region"):
        with problems.check():
            if key in data and (not isinstance(data[key], str) or not data[key].strip()):
                _fail(file, f"{key}: 必须是非空文本 (must be a non-empty string)")
    with problems.check():
        if text is None and data.get("id", path.stem) != path.stem:
            _fail(file, "id: '{}' 与文件名不一致 (id must equal the file name)".format(data["id"]))
    year = data.get("year", 2000)
    with problems.check():
        if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
            _fail(file, "year: 年度必须是整数 (year must be an integer year)")
    version = data.get("version", "")
    with problems.check():
        if isinstance(version, bool) or not isinstance(version, str | int):
            _fail(file, "version: 必须是文本 (version must be a string)")
    region = data.get("region", "national")
    with problems.check():
        if region != "national" and not re.fullmatch(r"[0-9]{2,12}", str(region)):
            _fail(
                file,
                f"region: '{region}' 应为 national 或地区代码前缀 "
                "(national or an area code prefix)",
            )

    parent: Standard | None = None
    extends = data.get("extends")
    with problems.check():
        parent = _parent(extends, path, text, file, chain, resolved)
    if extends is not None and parent is None:
        problems.raise_any()  # without the parent its overrides cannot be checked

    line_table = data.get("poverty_line_table", parent.poverty_line_table if parent else "national")
    with problems.check():
        try:
            povertylines.table(line_table)
        except (KeyError, TypeError):
            _fail(
                file,
                f"poverty_line_table: 未知扶贫标准表 '{line_table}' (unknown poverty line table)",
            )

    parameters = dict(parent.parameters) if parent else {}
    raw_parameters = data.get("parameters", {})
    with problems.check():
        if not isinstance(raw_parameters, dict):
            raw_parameters = {}
            _fail(file, "parameters: 必须是表 (must be a table)")
    for name, value in raw_parameters.items():
        with problems.check():
            if name in (POVERTY_LINE, YEAR) or not name.isidentifier():
                _fail(file, f"parameters: 参数名 '{name}' 不可用 (reserved or invalid name)")
            parameters[name] = _number(value, file, f"parameters.{name}")

    levels: dict[str, tuple[Indicator, ...]] = {}
    for level in LEVEL_ZH:
        base = [_as_raw(i) for i in parent.indicators(level)] if parent else []
        indicators: list[Indicator] = []
        merged: list[dict] = []
        with problems.check():
            merged = _merge(base, data.get(level, []), level, file)
        for raw in merged:
            with problems.check():  # every indicator is checked, whatever the others hold
                indicators.append(_indicator(raw, level, file, parameters))
        levels[level] = tuple(indicators)
    with problems.check():
        levels = _remove(levels, data.get("remove", []), file)
    problems.raise_any()

    return Standard(
        id=data["id"],
        name=data["name"],
        name_en=data["name_en"],
        region=region,
        year=year,
        version=str(version),
        extends=extends,
        parameters=MappingProxyType(parameters),
        poverty_line_table=line_table,
        path=path if text is None else None,
        **levels,
    )


def _parent(
    extends: Any,
    path: Path,
    text: str | None,
    file: str,
    chain: tuple[Path, ...],
    resolved: Path,
) -> Standard | None:
    """The standard `extends` names (None without extends)."""
    if extends is None:
        return None
    if not isinstance(extends, str):
        _fail(file, "extends: 必须是标准 id (must be a standard id)")
    if text is not None and (extends.endswith(".toml") or "/" in extends or "\\" in extends):
        # A draft comes from a page: it may only extend a shipped standard, never a path.
        _fail(file, f"extends: 草案只能继承已发布标准的 id '{extends}' (a shipped standard id)")
    try:
        target = _resolve(extends, path.parent if text is None else None)
    except StandardError as exc:
        _fail(file, f"extends: {exc}")
    return _load(target, (*chain, resolved))


def _number(value: Any, file: str, where: str, level: str | None = None, ind: str | None = None):
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        _fail(file, f"{where}: 必须是数值 (must be a number)", level, ind)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        _fail(file, f"{where}: 必须是数值 (must be a number)", level, ind)
    if not number.is_finite() or number.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
        _fail(
            file,
            f"{where}: 最多 {MAX_DECIMALS} 位小数 (at most {MAX_DECIMALS} decimals)",
            level,
            ind,
        )
    return number


def _as_raw(indicator: Indicator) -> dict[str, Any]:
    raw = {
        "id": indicator.id,
        "label": indicator.label,
        "label_en": indicator.label_en,
        "value": indicator.value,
        "op": indicator.op,
        "threshold": indicator.threshold,
        "explain": indicator.explain,
        "explain_en": indicator.explain_en,
        "when_null": indicator.when_null,
    }
    return {k: v for k, v in raw.items() if v is not None}


def _merge(base: list[dict], entries: Any, level: str, file: str) -> list[dict]:
    """Parent indicators, overridden field by field by id, then the new ones in file order."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        _fail(file, f"{level}: 必须写成 [[{level}]] 表数组 (must be an array of tables)")
    merged = [dict(raw) for raw in base]
    by_id = {raw["id"]: raw for raw in merged}
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        ind = entry.get("id")
        if not isinstance(ind, str):
            _fail(file, f"id: 第 {position} 个指标缺少 id (indicator #{position} has no id)", level)
        for key in entry:
            if key not in INDICATOR_KEYS:
                _fail(file, f"未知键 '{key}' (unknown key '{key}')", level, ind)
        if ind in seen:
            _fail(file, "id: 指标 id 重复 (duplicate indicator id)", level, ind)
        seen.add(ind)
        if ind in by_id:
            if entry.get("op") == "is_true" and "threshold" not in entry:
                by_id[ind].pop(
                    "threshold", None
                )  # switching to is_true drops the parent's threshold
            by_id[ind].update(entry)
        else:
            raw = dict(entry)
            merged.append(raw)
            by_id[ind] = raw
    return merged


def _remove(levels: dict[str, tuple[Indicator, ...]], remove: Any, file: str):
    """`remove = ["food", "village.incidence"]`: an id alone removes it from every level."""
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        _fail(file, "remove: 必须是指标 id 列表 (must be a list of indicator ids)")
    for item in remove:
        level, _, ind = item.rpartition(".")
        targets = [level] if level else list(LEVEL_ZH)
        if level and level not in LEVEL_ZH:
            _fail(file, f"remove: 未知层级 '{level}' (unknown level)")
        found = False
        for target in targets:
            kept = tuple(i for i in levels[target] if i.id != ind)
            found = found or len(kept) != len(levels[target])
            levels[target] = kept
        if not found:
            _fail(file, f"remove: 没有可删除的指标 '{item}' (no such indicator)")
    return levels


def _indicator(raw: dict, level: str, file: str, parameters: dict[str, Decimal]) -> Indicator:
    ind = raw["id"]

    def fail(message: str) -> None:
        _fail(file, message, level, ind)

    if not ID_RE.match(ind) or ind in RESERVED_IDS:
        fail(
            "id: 只能用小写字母、数字和单个下划线，且不能是保留名 "
            "(lower-case identifier, not reserved)"
        )
    for key in REQUIRED_INDICATOR:
        if key not in raw:
            fail(f"{key}: 缺少必填项 (missing required key '{key}')")
    for key in ("label", "label_en", "value", "op", "explain", "explain_en", "when_null"):
        if key in raw and not isinstance(raw[key], str):
            fail(f"{key}: 必须是文本 (must be a string)")
    op = raw["op"]
    if op not in OPS:
        fail("op: 未知比较符 '{}' (bad op; one of {})".format(op, ", ".join(OPS)))
    try:
        tree = parse(raw["value"])
    except ExpressionError as exc:
        fail(f"value: {exc}")
    fields = vocabulary.LEVELS[level]
    for name in names(tree):
        if name not in fields:
            fail(f"value: 未知字段 '{name}' (unknown field '{name}' for level {level})")
    threshold = raw.get("threshold")
    if op == "is_true":
        if tree[0] != "name" or fields[tree[1]].type != "bool":
            fail("op: is_true 只能用于单个布尔字段 (is_true needs a single bool field)")
        if threshold is not None:
            fail("threshold: is_true 不带阈值 (is_true takes no threshold)")
    else:
        for name in names(tree):
            if fields[name].type not in ("number", "year"):
                fail(
                    f"value: 字段 '{name}' 不是数值，不能比较或计算 "
                    f"(field '{name}' is {fields[name].type}, not a number)"
                )
        if threshold is None:
            fail(f"threshold: 比较符 '{op}' 需要阈值 (op '{op}' needs a threshold)")
        if isinstance(threshold, str):
            if threshold not in (POVERTY_LINE, YEAR) and threshold not in parameters:
                fail(f"threshold: 未知参数 '{threshold}' (unknown parameter)")
        else:
            threshold = _number(threshold, file, "threshold", level, ind)
    for key in ("explain", "explain_en"):
        if raw.get(key) is not None:
            try:
                used = {p[1] for p in string.Formatter().parse(raw[key]) if p[1] is not None}
            except ValueError:
                fail(f"{key}: 模板格式错误 (bad template)")
            unknown = used - PLACEHOLDERS
            if unknown:
                fail(
                    "{}: 未知占位符 {} (unknown placeholder; use {{value}} {{threshold}} {{year}} "
                    "{{label}})".format(key, ", ".join(sorted("{" + u + "}" for u in unknown)))
                )
    when_null = raw.get("when_null", "unmet")
    if when_null not in ("met", "unmet"):
        fail("when_null: 只能是 met 或 unmet (must be met or unmet)")
    return Indicator(
        id=ind,
        level=level,
        label=raw["label"],
        label_en=raw["label_en"],
        value=raw["value"],
        op=op,
        threshold=threshold,
        explain=raw.get("explain"),
        explain_en=raw.get("explain_en"),
        when_null=when_null,
        tree=tree,
    )
