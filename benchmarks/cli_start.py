"""How long an operator waits for `jingzhun assess` beyond the assessment itself (issue #10:
12.6–14.3 s wall for 2.1 s of work; target ≤ 1.5 s of overhead).

Against the registry of JINGZHUN_HOME / JINGZHUN_DATABASE_URL (e.g. the demo county):

    JINGZHUN_HOME=/tmp/jzdemo jingzhun demo --no-serve
    JINGZHUN_HOME=/tmp/jzdemo python benchmarks/cli_start.py [--repeat 5]

Each run is a fresh process, timed from outside (wall clock); the command itself prints the
seconds spent in `run_assessment` ("用时 X 秒"), so overhead = wall − work: interpreter start,
Django setup, imports, argument parsing and the summary queries. Also timed: `jingzhun help`
(start-up alone). Every run stores a new assessment run in the database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

JINGZHUN = str(Path(sys.executable).with_name("jingzhun"))


def timed(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engine", default="db")
    args = parser.parse_args()

    timed([JINGZHUN, "assess", "--engine", args.engine])  # warm the file cache
    walls, works, helps = [], [], []
    for _ in range(args.repeat):
        wall, out = timed([JINGZHUN, "assess", "--engine", args.engine])
        found = re.search(r"用时 ([\d.]+) 秒|, ([\d.]+) s\b", out)
        if not found:
            raise SystemExit("no elapsed time in the output of jingzhun assess:\n" + out)
        walls.append(wall)
        works.append(float(found.group(1) or found.group(2)))
        helps.append(timed([JINGZHUN, "help"])[0])
    overheads = [w - k for w, k in zip(walls, works, strict=True)]
    result = {
        "benchmark": "cli_start",
        "engine": args.engine,
        "repeat": args.repeat,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "assess_wall_s": round(statistics.median(walls), 2),
        "assess_work_s": round(statistics.median(works), 2),
        "assess_overhead_s": round(statistics.median(overheads), 2),
        "assess_overhead_max_s": round(max(overheads), 2),
        "help_wall_s": round(statistics.median(helps), 2),
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cli_start.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
