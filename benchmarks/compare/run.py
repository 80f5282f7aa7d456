"""Comparison benchmark (issue #12): the rules of national-2016 over a registry of N persons and
department lists of ~2.86 rows per person (10 M rows for 3.5 M persons), in one run:

    python benchmarks/compare/run.py --database postgres|sqlite --engine db|duckdb [--persons N]

The database is this benchmark's own (PostgreSQL `jingzhun_bench_compare_<N>` on 127.0.0.1,
created if missing; SQLite under /tmp/bench-compare/sqlite-<N>); a missing registry is built by
`build_province` (the `jingzhun demo --persons N` generator) and missing department lists by
generate.py — neither is timed. Then, timed:

(a) the real path: `create_run` + `execute_run` (read the registry and the lists, evaluate every
    rule, store the findings and their verification tasks), a first run over the data (the
    earlier benchmark runs' findings and tasks are deleted first, not timed);
(b) the floor: the tables the rules read exported to Parquet, every rule as hand-written
    DuckDB SQL, the findings written to Parquet (export and SQL timed separately);
(c) a batched ORM implementation (baselines.orm_batched) on an evenly spread sample of persons
    and of the dibao list's rows, scaled linearly to all of them.

The findings must be equal per (rule, person, department row) between (a) and (b), and between
(a) and (c) on (c)'s sample; the script stops with an AssertionError otherwise. Prints a
Markdown table; appends JSON to benchmarks/results/compare.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
PG = "postgres://postgres@127.0.0.1:5432/"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="sqlite")
    parser.add_argument("--engine", choices=("db", "duckdb"), default="db")
    parser.add_argument("--persons", type=int, default=3_500_000)
    parser.add_argument("--sample", type=float, default=0.01, help="share of persons in (c)")
    parser.add_argument("--skip-orm", action="store_true")
    parser.add_argument(
        "--fuzzy", type=int, default=0, help="also link N unkeyed rows fuzzily (splink, DuckDB)"
    )
    parser.add_argument(
        "--tokens", type=int, default=0, help="also link N tokenised rows (HMAC tokens only)"
    )
    parser.add_argument("--regenerate", action="store_true", help="draw the department lists again")
    return parser.parse_args()


ARGS = _arguments() if __name__ == "__main__" else None


def _database(args: argparse.Namespace) -> None:
    """Point Django at this benchmark's own database (before it is set up)."""
    label = f"{args.persons // 1000}k"
    home = Path(tempfile.gettempdir()) / "bench-compare" / f"{args.database}-{label}"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["JINGZHUN_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    if args.database == "postgres":
        import psycopg

        name = f"jingzhun_bench_compare_{label}"
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["JINGZHUN_DATABASE_URL"] = PG + name


if ARGS is not None:
    _database(ARGS)
    sys.path.insert(0, str(HERE.parent.parent))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.compare import baselines, fuzzy, generate, tokens  # noqa: E402
from jingzhun.comparison import findings, runs, snapshots  # noqa: E402
from jingzhun.comparison.models import (  # noqa: E402
    ComparisonRun,
    Dataset,
    DatasetRow,
    Finding,
    VerificationTask,
)
from jingzhun.registry.demo import build_province, ensure_migrated  # noqa: E402
from jingzhun.registry.models import Person  # noqa: E402
from jingzhun.standards import rules  # noqa: E402
from jingzhun.workbook import SYSTEM  # noqa: E402

RULESET = "national-2016"
YEAR = generate.YEAR
TABLES = (
    "registry_household",
    "registry_person",
    "registry_income",
    "comparison_dataset",
    "comparison_datasetrow",
    "comparison_finding",
    "comparison_verificationtask",
)


def prepare(persons: int, regenerate: bool) -> dict[str, Any]:
    """The registry and the lists (built when missing; not timed), tables analysed."""
    ensure_migrated()
    if regenerate:
        clear()
        with connection.cursor() as cursor:
            for model in (DatasetRow, Dataset):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model meta
    built: dict[str, Any] = {}
    if not Person.objects.exists():
        started = time.perf_counter()
        built["registry"] = build_province(persons, progress=print)
        built["registry_seconds"] = time.perf_counter() - started
    if Dataset.objects.values("kind").distinct().count() < len(generate.DRAWS):
        started = time.perf_counter()
        built["rows"] = generate.generate()
        built["rows_seconds"] = time.perf_counter() - started
    print("built: " + json.dumps(built, default=str), flush=True)
    clear()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"VACUUM ANALYZE {table}")
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
        print(f"ANALYZE {time.perf_counter() - started:.1f} s (not timed)", flush=True)
    return built


def clear() -> None:
    """Earlier benchmark runs' findings, tasks and runs (not timed), so (a) is a first run."""
    with connection.cursor() as cursor:
        for model in (VerificationTask, Finding, ComparisonRun):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model meta


def real_path(engine: str) -> tuple[dict[str, Any], ComparisonRun]:
    """(a) create_run + execute_run, split by wrapping the steps execute_run calls: read (the
    engine's tables: a snapshot for DuckDB), evaluate (every rule) and store (_keep)."""
    phases = {"engine_tables": "read", "found_table": "evaluate", "evaluate": "evaluate"}
    phases["_keep"] = "store"
    spent = {"read": 0.0, "evaluate": 0.0, "store": 0.0}
    originals = {name: getattr(runs, name) for name in phases if hasattr(runs, name)}

    def timed(name: str, function: Any) -> Any:
        if name == "engine_tables":  # a context manager: the snapshot is written on entering

            @contextlib.contextmanager
            def entered(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                with function(*args, **kwargs) as tables:
                    spent["read"] += time.perf_counter() - started
                    yield tables

            return entered

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phases[name]] += time.perf_counter() - started

        return wrapper

    for name, function in originals.items():
        setattr(runs, name, timed(name, function))
    kept: dict[str, Any] = {}
    original_files = findings.snapshot_files

    @contextlib.contextmanager
    def files(*args: Any, **kwargs: Any) -> Any:
        with original_files(*args, **kwargs) as read:
            kept.update({k: v for k, v in read.items() if k != "files"})
            yield read

    findings.snapshot_files = files
    options = {}
    if engine != "db":
        if not any(f.name == "engine" for f in ComparisonRun._meta.fields):
            raise SystemExit(f"engine {engine}: ComparisonRun has no engine option yet")
        options["engine"] = engine
    try:
        started = time.perf_counter()
        run = runs.create_run(ruleset_id=RULESET, year=YEAR, acting_user=SYSTEM, **options)
        run = runs.execute_run(run)
        seconds = time.perf_counter() - started
    finally:
        for name, function in originals.items():
            setattr(runs, name, function)
        findings.snapshot_files = original_files
    tasks = VerificationTask.objects.filter(finding__first_run=run).count()
    figures = {"seconds": seconds, **spent, "tasks": tasks, "counts": run.counts}
    return {**figures, **({"snapshot": kept} if kept else {})}, run


def stored(run: ComparisonRun) -> set[baselines.Key]:
    return set(
        Finding.objects.filter(first_run=run).values_list("rule", "person_id", "dataset_row_id")
    )


def main() -> None:
    args = ARGS
    assert args is not None
    vendor = connection.vendor
    built = prepare(args.persons, args.regenerate)
    persons = Person.objects.count()
    current = DatasetRow.objects.filter(dataset__current=True)  # not the --fuzzy file
    rows = current.count()
    per_kind = dict(current.values_list("dataset__kind").annotate(n=Count("id")).order_by())
    load_before = os.getloadavg()
    print(f"{vendor}: {persons:,} persons, {rows:,} department rows {per_kind}", flush=True)
    figures: dict[str, Any] = {}

    if args.engine == "db":
        figures["a"], run = real_path(args.engine)
    else:
        # DuckDB / Spark read Parquet kept between runs (comparison/snapshots.py). Three first
        # runs of the findings: nothing kept (cold), the registry changed since the last run
        # (its snapshot written again, the lists' files reused), nothing changed (warm).
        shutil.rmtree(snapshots.root(), ignore_errors=True)
        figures["a_cold"], _ = real_path(args.engine)
        print(f"(a) cold {json.dumps(figures['a_cold'], default=str)}", flush=True)
        clear()
        touched = Person.objects.order_by("pk").values_list("pk", flat=True).first()
        Person.objects.filter(pk=touched).update(updated=timezone.now())  # an edit
        figures["a_registry_changed"], _ = real_path(args.engine)
        print(f"(a) registry changed {json.dumps(figures['a_registry_changed'])}", flush=True)
        clear()
        figures["a"], run = real_path(args.engine)
    ruleset = [rule.id for rule in rules.load(RULESET).rules]
    missing = [rule for rule in ruleset if rule not in baselines.FLOOR_RULES]
    if missing:  # a rule added to the file after the baselines were written
        print(f"not in the baselines (left out of the check): {missing}", flush=True)
    found_all = stored(run)
    found_a = {f for f in found_all if f[0] in baselines.FLOOR_RULES}
    print(
        f"(a) end to end {figures['a']['seconds']:.1f} s, {len(found_all):,} findings", flush=True
    )

    with tempfile.TemporaryDirectory(prefix="jz-compare-bench-") as directory:
        started = time.perf_counter()
        baselines.export(Path(directory))
        figures["b_export"] = time.perf_counter() - started
        figures["b_sql"], found_b = baselines.duckdb_sql(Path(directory), YEAR)
    figures["b"] = figures["b_export"] + figures["b_sql"]
    print(
        f"(b) floor {figures['b']:.1f} s (export {figures['b_export']:.1f}, "
        f"SQL {figures['b_sql']:.1f})",
        flush=True,
    )
    assert found_b == found_a, (
        f"hand-written SQL disagrees: {len(found_b - found_a)} only in SQL, "
        f"{len(found_a - found_b)} only stored, e.g. {sorted(found_b ^ found_a, key=str)[:5]}"
    )

    if not args.skip_orm:
        ids = list(Person.objects.order_by("id").values_list("id", flat=True))
        step = max(1, round(1 / args.sample))
        sample = ids[::step]
        assistance = list(
            DatasetRow.objects.filter(dataset__kind="assistance", dataset__current=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        sample_rows = assistance[::step]
        seconds_p, seconds_r, found_c = baselines.orm_batched(sample, sample_rows, YEAR, run.pk)
        chosen, chosen_rows = set(sample), set(sample_rows)
        expected = {
            f for f in found_a if (f[1] in chosen) or (f[1] is None and f[2] in chosen_rows)
        }
        assert found_c == expected, (
            f"batched ORM disagrees: {len(found_c - expected)} only in ORM, "
            f"{len(expected - found_c)} only stored"
        )
        figures["c_sample"] = {"persons": len(sample), "rows": len(sample_rows)}
        figures["c_sample_seconds"] = seconds_p + seconds_r
        figures["c"] = seconds_p * len(ids) / max(1, len(sample)) + seconds_r * len(
            assistance
        ) / max(1, len(sample_rows))
        print(
            f"(c) batched ORM {seconds_p + seconds_r:.1f} s on the sample → {figures['c']:.0f} s",
            flush=True,
        )

    if args.fuzzy:
        dataset_id, registered = fuzzy.unkeyed_dataset(args.fuzzy)
        figures["fuzzy"] = fuzzy.link(dataset_id, registered)
        print(f"fuzzy linkage {json.dumps(figures['fuzzy'])}", flush=True)

    if args.tokens:
        dataset_id, registered = tokens.tokenised_dataset(args.tokens)
        figures["tokens"] = tokens.link(dataset_id, registered)
        print(f"token linkage {json.dumps(figures['tokens'])}", flush=True)
        assert figures["tokens"]["links_to_their_person"] == registered, "token links wrong"
        assert figures["tokens"]["links_of_strangers"] == 0, "a stranger was linked"

    record = {
        "benchmark": "compare",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "vendor": vendor,
        "engine": args.engine,
        "persons": persons,
        "rows": rows,
        "rows_per_kind": per_kind,
        "datasets": Dataset.objects.filter(current=True).count(),
        "findings": len(found_all),
        "rules_not_in_baselines": missing,
        "fuzzy_rows": args.fuzzy,
        "token_rows": args.tokens,
        "built": built,
        "figures": figures,
    }
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "compare.json").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=str) + "\n")
    print()
    print(table(record))


def table(record: dict[str, Any]) -> str:
    f = record["figures"]
    a = f["a"]
    lines = [
        f"{record['vendor']}, engine {record['engine']}: {record['persons']:,} persons, "
        f"{record['rows']:,} department rows in {record['datasets']} files, "
        f"{record['findings']:,} findings; load {record['load_before'][0]:.1f} → "
        f"{record['load_after'][0]:.1f}",
        "",
        "| what | seconds | split |",
        "|---|---|---|",
        f"| (a) `create_run` + `execute_run` | **{a['seconds']:.1f}** | read "
        f"{a.get('read', 0):.1f}, evaluate {a['evaluate']:.1f}, store {a['store']:.1f}; "
        f"{a['tasks']:,} tasks; "
        f"{a['seconds'] / f['b']:.1f}× the floor |",
    ]
    passes = (("a_cold", "nothing kept (cold)"), ("a_registry_changed", "registry changed"))
    for key, label in passes:
        if key in f:
            k = f[key]
            written = k.get("snapshot", {})
            lines.append(
                f"| (a) {label} | {k['seconds']:.1f} | read {k.get('read', 0):.1f} "
                f"(registry {written.get('registry', '?')}, "
                f"{written.get('datasets_written', 0)} lists written), evaluate "
                f"{k['evaluate']:.1f}, store {k['store']:.1f} |"
            )
    lines += [
        f"| (b) floor: export to Parquet + hand-written DuckDB SQL | {f['b']:.1f} | export "
        f"{f['b_export']:.1f}, SQL {f['b_sql']:.1f} |",
    ]
    if "c" in f:
        lines.append(
            f"| (c) batched ORM, scaled | {f['c']:.0f} | {f['c_sample_seconds']:.1f} s for "
            f"{f['c_sample']['persons']:,} persons + {f['c_sample']['rows']:,} dibao rows; "
            f"{f['c'] / a['seconds']:.1f}× (a) |"
        )
    if "fuzzy" in f:
        z = f["fuzzy"]
        lines.append(
            f"| fuzzy linkage (`link_fuzzy`, splink on DuckDB) of {record['fuzzy_rows']:,} "
            f"unkeyed rows | {z['seconds']:.1f} | {z['links']:,} possible links; "
            f"{z['registered_found']:,} of {z['registered_rows']:,} registered rows linked to "
            f"their person; {z['strangers_linked']:,} strangers linked |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
