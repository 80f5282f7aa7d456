"""Import benchmark (issue #2): a 100,000-person registry workbook into a fresh database.

    python benchmarks/import_100k.py [--persons 100000] [--households 26000]

Generates a valid .xlsx (户, 成员, 收入) into a temp dir, migrates a fresh SQLite database there
(and, when JINGZHUN_DATABASE_URL is set, uses that PostgreSQL database instead: it must be empty
or disposable), then times `import_workbook` as the command-line actor. A second import of the
same file is timed too (the idempotent path: compare only, no writes). Prints one result line and
appends JSON to benchmarks/results/. Target: ≤ 60 s for the first import on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="jz-import-bench-"))
os.environ.setdefault("JINGZHUN_HOME", str(WORK))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from registry_workbook import make_areas, write_workbook  # noqa: E402

from jingzhun.registry.excel import import_workbook  # noqa: E402
from jingzhun.registry.models import Household, Income, Person  # noqa: E402
from jingzhun.workbook import SYSTEM  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--households", type=int, default=26_000)
    parser.add_argument("--villages", type=int, default=200)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if Household.objects.exists():
        sys.exit("the target database already holds households: use an empty one")
    villages = make_areas(args.villages)
    path = WORK / "registry.xlsx"
    started = time.perf_counter()
    write_workbook(path, persons=args.persons, households=args.households, villages=villages)
    generate = time.perf_counter() - started

    started = time.perf_counter()
    first = import_workbook(path, acting_user=SYSTEM)
    first_seconds = time.perf_counter() - started
    if first.errors:
        sys.exit(f"generated file has errors, e.g. {first.errors[:3]}")
    print(f"generated in {generate:.1f} s; first import {first_seconds:.1f} s", flush=True)
    started = time.perf_counter()
    second = import_workbook(path, acting_user=SYSTEM)
    second_seconds = time.perf_counter() - started
    assert sum(n.created + n.updated for n in second.counts.values()) == 0

    result = {
        "benchmark": "import_100k",
        "database": connection.vendor,
        "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "incomes": Income.objects.count(),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_s": round(generate, 1),
        "import_s": round(first_seconds, 1),
        "reimport_unchanged_s": round(second_seconds, 1),
        # The steps of the first import; only "write" holds the database's write lock.
        "steps_s": first.timings,
        "write_lock_s": first.timings.get("write"),
        "persons_per_s": round(args.persons / first_seconds),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(
        "import_100k [{database}]: {persons} persons, {households} households, {incomes} incomes"
        " ({file_mb} MB) imported in {import_s} s ({persons_per_s}/s); re-import (no change)"
        " {reimport_unchanged_s} s; steps {steps_s}, write lock held {write_lock_s} s".format(
            **result
        )
    )
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    with (results / "import_100k.json").open("a") as handle:
        handle.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
