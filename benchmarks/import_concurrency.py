"""Edits during a large import on SQLite (issue #11 item 6): none may answer 500.

    python benchmarks/import_concurrency.py [--persons 32500] [--households 8500] [--baseline]

A fresh SQLite database in a temp dir (villages, 200 households to edit, a county
administrator with an API token); `jingzhun serve` (waitress) on it in another process; then a
generated workbook of `--persons` is imported in this process while a thread PATCHes one of the
200 households through the API every 0.25 s until the import has finished. Prints the edits'
answers by status and their longest wait, the import's steps and how long it held the write
lock (probed from outside every 50 ms); appends JSON to benchmarks/results/.

`--baseline` runs the same import inside one transaction, as the import did before issue #11
item 6 (checked inside its write transaction): the lock is then held for the whole import.
Not timed: the server's start, the generation of the files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="jz-import-concurrency-"))
os.environ["JINGZHUN_HOME"] = str(WORK)
os.environ.pop("JINGZHUN_DATABASE_URL", None)  # SQLite: the one-writer database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from registry_workbook import make_areas, write_workbook  # noqa: E402

from jingzhun.accounts.models import User  # noqa: E402
from jingzhun.accounts.services import issue_token  # noqa: E402
from jingzhun.areas.models import Area  # noqa: E402
from jingzhun.registry.excel import import_workbook  # noqa: E402
from jingzhun.registry.models import Household  # noqa: E402
from jingzhun.workbook import SYSTEM  # noqa: E402

TARGETS = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own server
            return
        except urllib.error.HTTPError:
            return  # answering (a redirect to login, a 404): up
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer at {url}")


def probe_lock(path: str, done: threading.Event, spans: list[float]) -> None:
    """Every 50 ms, try to take SQLite's write lock without waiting; record each stretch during
    which it could not be had (what a writer meets, measured from outside the import)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    busy_since = None
    while not done.is_set():
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            if busy_since is not None:
                spans.append(time.perf_counter() - busy_since)
                busy_since = None
        except sqlite3.OperationalError:
            if busy_since is None:
                busy_since = time.perf_counter()
        time.sleep(0.05)
    if busy_since is not None:
        spans.append(time.perf_counter() - busy_since)
    probe.close()


def patch(base: str, token: str, pk: int, hamlet: str) -> tuple[int, float]:
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/api/households/{pk}/",
        data=json.dumps({"hamlet": hamlet}).encode(),
        method="PATCH",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=32_500)
    parser.add_argument("--households", type=int, default=8_500)
    parser.add_argument("--baseline", action="store_true", help="the import as before item 6")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    villages = make_areas(200)
    targets, big = WORK / "targets.xlsx", WORK / "county.xlsx"
    write_workbook(targets, persons=TARGETS * 4, households=TARGETS, villages=villages)
    write_workbook(
        big, persons=args.persons, households=args.households, villages=villages, first=TARGETS
    )
    assert import_workbook(targets, acting_user=SYSTEM).ok
    pks = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    admin = User.objects.create_user(
        "bench",
        password=None,  # the API token only
        role="county_admin",
        area=Area.objects.get(level="county"),
    )
    token = issue_token(admin).key

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("jingzhun")),
            "serve",
            "--port",
            str(port),
            "--task-workers",
            "0",
        ],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/accounts/login/")
        answers: list[tuple[int, float]] = []
        done = threading.Event()

        def edit() -> None:
            workers = []
            index = 0
            while not done.is_set():
                pk = pks[index % len(pks)]
                thread = threading.Thread(
                    target=lambda pk=pk, i=index: answers.append(patch(base, token, pk, f"{i}组"))
                )
                thread.start()
                workers.append(thread)
                index += 1
                done.wait(0.25)
            for thread in workers:
                thread.join()

        editor = threading.Thread(target=edit)
        spans: list[float] = []
        prober = threading.Thread(
            target=probe_lock, args=(str(connection.settings_dict["NAME"]), done, spans)
        )
        started = time.perf_counter()
        prober.start()
        editor.start()
        try:
            if args.baseline:
                with transaction.atomic():  # the old import: checked inside its write transaction
                    result = import_workbook(big, acting_user=SYSTEM)
            else:
                result = import_workbook(big, acting_user=SYSTEM)
        finally:
            done.set()
            editor.join()
            prober.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert result.ok, result.errors[:3]

    statuses: dict[str, int] = {}
    for status, _wait in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    record = {
        "benchmark": "import_concurrency",
        "mode": "baseline (checked inside the transaction)" if args.baseline else "current",
        "persons_imported": args.persons,
        "import_s": round(seconds, 1),
        "steps_s": result.timings,
        # The longest stretch the write lock could not be had (probed every 50 ms), and all.
        "write_lock_s": round(max(spans, default=0), 1),
        "lock_busy_total_s": round(sum(spans), 1),
        "edits": len(answers),
        "answers": statuses,
        "longest_edit_s": round(max(w for _s, w in answers), 1) if answers else None,
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(
        "import_concurrency [{mode}]: {persons_imported} persons in {import_s} s, write lock"
        " {write_lock_s} s (busy {lock_busy_total_s} s in all); {edits} edits meanwhile:"
        " {answers}, longest {longest_edit_s} s".format(**record)
    )
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    with (results / "import_concurrency.json").open("a") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
