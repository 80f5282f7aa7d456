"""Assessment benchmark (issue #3, item 7): end-to-end runs per engine and three baselines.

Run it against an existing registry (build one first, see README.md):

    JINGZHUN_HOME=/tmp/bench/sqlite1m python benchmarks/assess/run.py
    JINGZHUN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_bench1m \\
        JINGZHUN_HOME=/tmp/bench/pg1m python benchmarks/assess/run.py

What is timed, all on the registry of the current database, standard yunnan-2018, year 2018:

* snapshot: the app database written to Parquet once (`engine.snapshot.write_snapshot`); every
  baseline and the Ibis-only timing read these same files;
* (a) hand-written DuckDB SQL for the three levels (the floor), (b) pandas, (c) a per-household
  loop through the Django ORM on a sample (`--sample`), scaled linearly to every household;
* Ibis evaluation alone on DuckDB (what a run does before storing: every level materialised);
* end to end, per engine (`run_assessment`: read the registry, evaluate, store every verdict
  with its values and a result row per unmet indicator), each in a child process (its own peak
  memory), split by the run's progress messages into setup / snapshot / evaluate / store.
  `duckdb+shared` / `spark+shared`: the same run reusing the shared snapshot that `jingzhun
  snapshot` publishes (published just before, timed separately as "shared snapshot"; the run's
  setup includes checking it is still exact, `registry_state`); before a plain duckdb / spark
  run any shared snapshot of this data folder is removed. The stored rows are deleted
  afterwards (`--keep` keeps them).

Every baseline must agree with the engine: entities, entities meeting every indicator and met
entities per indicator, per level (the ORM loop: per sampled household and indicator). The script
stops with an AssertionError otherwise. Prints a Markdown table; appends JSON to
benchmarks/results/assess.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

django.setup()

import baselines  # noqa: E402
import ibis  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict  # noqa: E402
from jingzhun.assessment.services import (  # noqa: E402
    LEVELS,
    level_counts,
    run_assessment,
    wide_result,
)
from jingzhun.engine import snapshot as snapshots  # noqa: E402
from jingzhun.engine.connect import duckdb_snapshot  # noqa: E402
from jingzhun.engine.django import (  # noqa: E402
    app_backend,
    app_vendor,
    registry_state,
    shared_snapshot_root,
)
from jingzhun.engine.inputs import input_view  # noqa: E402
from jingzhun.engine.snapshot import write_snapshot  # noqa: E402
from jingzhun.engine.tables import base_tables  # noqa: E402
from jingzhun.registry.models import Household, Person  # noqa: E402
from jingzhun.standards import loader  # noqa: E402

STANDARD = "yunnan-2018"
YEAR = 2018
RESULTS = Path(__file__).resolve().parent.parent / "results"


def _ids(level: str) -> list[str]:
    return [i.id for i in loader.load(STANDARD).indicators(level)]


# --- end to end (child process) -----------------------------------------------------------


def end_to_end(engine: str, keep: bool) -> dict[str, Any]:
    """One run_assessment on `engine`; timings, phases, peak memory and the stored counts."""
    translation.activate("zh-hans")  # the phases are told apart by the progress messages
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    run = run_assessment(
        standard_id=STANDARD,
        year=YEAR,
        engine=engine.split("+")[0],
        progress=lambda message: marks.append((time.perf_counter(), message)),
    )
    total = time.perf_counter() - started
    rss_mb = peak_rss_mb()

    def first(prefix: str) -> float | None:
        return next((t for t, m in marks if m.startswith(prefix)), None)

    evaluating, storing = first("评估"), first("保存")
    snapshot, spark = first("写入快照"), first("启动 Spark")
    reused = first("使用已有快照")
    if engine.endswith("+shared"):
        assert reused is not None and snapshot is None, "the shared snapshot was not reused"
    else:
        assert reused is None, "a shared snapshot was reused"
    phases = {
        "setup": (snapshot or reused or spark or evaluating) - started,
        "snapshot": ((spark or evaluating) - snapshot) if snapshot else None,
        "spark start": (evaluating - spark) if spark else None,
        "evaluate": storing - evaluating,
        "store": started + total - storing,
    }
    stored = stored_counts(run)
    rows = {
        "verdicts": Verdict.objects.filter(run=run).count(),
        "results": IndicatorResult.objects.filter(run=run).count(),
    }
    if not keep:
        with connection.cursor() as cursor:
            for table in ("assessment_indicatorresult", "assessment_verdict"):
                cursor.execute(f"DELETE FROM {table} WHERE run_id = %s", [run.pk])  # noqa: S608
        AssessmentRun.objects.filter(pk=run.pk).delete()
    return {
        "engine": engine,
        "seconds": total,
        "phases": phases,
        "peak_rss_mb": rss_mb,
        "rows": rows,
        "counts": stored,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage: ru_maxrss survives exec, so a child
    would report its parent's peak; VmHWM starts afresh with the new program."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stored_counts(run: AssessmentRun) -> dict[str, dict[str, Any]]:
    """Per level: entities and met from the stored verdicts, met per indicator = entities minus
    the stored result rows (one per unmet indicator)."""
    unmet = {
        (level, indicator): n
        for level, indicator, n in IndicatorResult.objects.filter(run=run)
        .values_list("level", "indicator")
        .annotate(n=Count("id"))
        .order_by()
    }
    out = {}
    for level in LEVELS:
        verdicts = Verdict.objects.filter(run=run, level=level)
        entities = verdicts.count()
        out[level] = {
            "entities": entities,
            "met": verdicts.filter(met=True).count(),
            "indicators": {i: entities - unmet.get((level, i), 0) for i in _ids(level)},
        }
    return out


def run_child(engine: str, keep: bool) -> dict[str, Any]:
    """end_to_end in a fresh process (own memory, no warm caches of this one)."""
    command = [sys.executable, __file__, "--child", engine] + (["--keep"] if keep else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return {"engine": engine, "skipped": lines[-1] if lines else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- in this process: snapshot, Ibis evaluation, baselines --------------------------------


def ibis_evaluation(snapshot: Path) -> tuple[float, dict[str, dict[str, Any]], Any]:
    """What a DuckDB run does before storing: every level evaluated and materialised (cached)
    and counted. Returns seconds, per-indicator counts and the household flags table."""
    standard = loader.load(STANDARD)
    backend = duckdb_snapshot(snapshot)
    started = time.perf_counter()
    tables = base_tables(backend)
    wides, totals = {}, {}
    for level in LEVELS:
        wides[level] = wide_result(standard, level, input_view(tables, level, YEAR), YEAR).cache()
        totals[level] = level_counts(wides[level])
    seconds = time.perf_counter() - started
    counts = {}
    for level in LEVELS:
        wide, ids = wides[level], _ids(level)
        row = (
            wide.aggregate(**{i: ibis.ifelse(wide[f"{i}__met"], 1, 0).sum() for i in ids})
            .to_pyarrow()
            .to_pylist()[0]
        )
        counts[level] = {**totals[level], "indicators": {i: int(row[i] or 0) for i in ids}}
    household = wides["household"]
    flags = household.select("household_id", *[f"{i}__met" for i in _ids("household")]).to_pyarrow()
    return seconds, counts, flags


def median_of(repeat: int, function: Any) -> tuple[float, Any]:
    """(median of the first element of `repeat` calls, the last call's whole outcome)."""
    outcomes = [function() for _ in range(repeat)]
    return statistics.median(o[0] for o in outcomes), outcomes[-1]


def assert_same(name: str, counts: dict[str, Any], reference: dict[str, Any]) -> None:
    for level in LEVELS:
        got = {k: counts[level][k] for k in ("entities", "met", "indicators")}
        want = {k: reference[level][k] for k in ("entities", "met", "indicators")}
        assert got == want, f"{name} disagrees with the engine at {level}: {got} != {want}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engines",
        default="db,duckdb,duckdb+shared,spark,spark+shared",
        help="comma-separated; +shared: reuse the shared snapshot",
    )
    parser.add_argument("--sample", type=int, default=2000, help="households in the ORM loop")
    parser.add_argument("--repeat", type=int, default=3, help="median of N (SQL, Ibis)")
    parser.add_argument("--keep", action="store_true", help="keep the stored runs")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="PostgreSQL: do not VACUUM ANALYZE the tables first (see settle_postgres)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(end_to_end(args.child, args.keep)))
        return

    vendor = app_vendor()
    server = settle_postgres(vacuum=not args.no_vacuum) if vendor == "postgresql" else {}
    persons = Person.objects.count()
    assessed = Household.objects.exclude(status="deregistered")
    households = assessed.count()
    load_before = os.getloadavg()
    print(f"{vendor}: {persons:,} persons, {households:,} households assessed", flush=True)

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="jz-assess-bench-") as directory:
        snapshot = Path(directory)
        started = time.perf_counter()
        write_snapshot(app_backend(), snapshot, vendor=vendor, data_date=timezone.localdate())
        figures["snapshot"] = time.perf_counter() - started
        print(f"snapshot {figures['snapshot']:.1f} s", flush=True)

        figures["ibis"], (_, ibis_counts, flags) = median_of(
            args.repeat, lambda: ibis_evaluation(snapshot)
        )
        print(f"ibis evaluation on DuckDB {figures['ibis']:.2f} s", flush=True)
        figures["sql"], (_, sql_counts) = median_of(
            args.repeat, lambda: baselines.duckdb_sql(snapshot)
        )
        assert_same("hand-written SQL", sql_counts, ibis_counts)
        print(f"hand-written DuckDB SQL {figures['sql']:.2f} s", flush=True)
        read, compute, pandas_counts = baselines.pandas_rules(snapshot)
        assert_same("pandas", pandas_counts, ibis_counts)
        figures["pandas"] = read + compute
        figures["pandas_read"] = read
        print(f"pandas {read:.1f} s read + {compute:.1f} s compute", flush=True)

    ids = list(assessed.order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // args.sample)
    sample = ids[::step][: args.sample]
    seconds, orm_flags = baselines.orm_loop(sample)
    engine_flags = {
        row["household_id"]: {i: row[f"{i}__met"] for i in _ids("household")}
        for row in flags.to_pylist()
        if row["household_id"] in orm_flags
    }
    assert orm_flags == engine_flags, "the ORM loop disagrees with the engine"
    figures["orm_sample"] = seconds
    figures["orm"] = seconds * households / len(sample)
    print(
        f"ORM loop {seconds:.1f} s for {len(sample):,} households → {figures['orm']:.0f} s",
        flush=True,
    )

    runs = []
    shared_root = shared_snapshot_root()
    published = False
    for engine in [e for e in args.engines.split(",") if e]:
        if engine.endswith("+shared") and not published:
            started = time.perf_counter()
            snapshots.publish(
                shared_root,
                lambda target: write_snapshot(
                    app_backend(),
                    target,
                    vendor=vendor,
                    data_date=timezone.localdate(),
                    state=registry_state(),
                ),
            )
            figures["shared_snapshot"] = time.perf_counter() - started
            published = True
            print(f"shared snapshot {figures['shared_snapshot']:.1f} s", flush=True)
        elif not engine.endswith("+shared") and shared_root.exists():
            shutil.rmtree(shared_root)  # a plain run writes its own snapshot
            published = False
        load = os.getloadavg()[0]
        outcome = run_child(engine, args.keep)
        outcome["load_before"] = load
        if "skipped" not in outcome:
            assert_same(f"engine {engine} (stored rows)", outcome["counts"], ibis_counts)
            print(f"end to end {engine} {outcome['seconds']:.1f} s", flush=True)
        else:
            print(f"end to end {engine} skipped: {outcome['skipped']}", flush=True)
        runs.append(outcome)
    if published and not args.keep:
        shutil.rmtree(shared_root)

    record = {
        "benchmark": "assess",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "vendor": vendor,
        "server": server,
        "persons": persons,
        "households": households,
        "sample": len(sample),
        "figures": figures,
        "runs": runs,
        "counts": ibis_counts,
    }
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "assess.json").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    print()
    print(table(record))


# The server settings that bear on a run (the stock Debian configuration here), recorded with
# the figures so that they can be compared with another machine's.
SERVER_SETTINGS = (
    "server_version",
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "max_wal_size",
    "max_parallel_workers_per_gather",
    "jit",
)


def settle_postgres(*, vacuum: bool) -> dict[str, str]:
    """Bring the tables to the state autovacuum keeps them in (VACUUM ANALYZE: visibility map,
    hint bits, statistics, the space of deleted runs reusable) so repeated benchmarks start
    alike, outside any timing; return the server settings."""
    from jingzhun.engine.tables import BASE_TABLES

    with connection.cursor() as cursor:
        if vacuum:
            started = time.perf_counter()
            for name in [*BASE_TABLES, Verdict._meta.db_table, IndicatorResult._meta.db_table]:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(name)}")
            print(f"VACUUM ANALYZE {time.perf_counter() - started:.1f} s (not timed)", flush=True)
        settings = {}
        for name in SERVER_SETTINGS:
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    print("server: " + ", ".join(f"{k} {v}" for k, v in settings.items()), flush=True)
    return settings


def table(record: dict[str, Any]) -> str:
    """The Markdown table of one benchmark record."""
    f = record["figures"]
    lines = [
        f"{record['vendor']}: {record['persons']:,} persons, "
        f"{record['households']:,} households; load before "
        f"{record['load_before'][0]:.1f}, after {record['load_after'][0]:.1f}",
    ]
    if record.get("server"):
        lines.append("server: " + ", ".join(f"{k} {v}" for k, v in record["server"].items()))
    lines += [
        "",
        "| what | seconds | split | vs ORM loop |",
        "|---|---|---|---|",
    ]

    def row(label: str, seconds: float, split: str = "") -> None:
        lines.append(f"| {label} | {seconds:.2f} | {split} | {f['orm'] / seconds:,.0f}× |")

    for run in record["runs"]:
        if "skipped" in run:
            lines.append(f"| end to end, {run['engine']} | skipped | {run['skipped']} | |")
            continue
        p = run["phases"]
        parts = [f"{k} {v:.1f}" for k, v in p.items() if v is not None]
        split = ", ".join(parts) + f"; peak {run['peak_rss_mb']:.0f} MB"
        split += f"; rows {run['rows']['verdicts']:,} + {run['rows']['results']:,}"
        split += f"; load {run.get('load_before', 0):.1f}"
        row(f"end to end, engine `{run['engine']}`", run["seconds"], split)
    row("snapshot (app DB → Parquet)", f["snapshot"])
    if "shared_snapshot" in f:
        row("shared snapshot (`jingzhun snapshot`, once)", f["shared_snapshot"])
    row("Ibis evaluation on DuckDB (3 levels)", f["ibis"], f"{f['ibis'] / f['sql']:.1f}× the SQL")
    row("(a) hand-written DuckDB SQL (3 levels)", f["sql"], "the floor")
    row("(b) pandas (3 levels)", f["pandas"], f"read {f['pandas_read']:.1f}")
    lines.append(
        f"| (c) ORM loop, household level (scaled) | {f['orm']:.0f} | "
        f"{f['orm_sample']:.1f} s for {record['sample']:,} households | 1× |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
