"""Page, export and API latency on a registry: `--suite lists`, the list pages and API (issue
#2: p95 ≤ 200 ms at 1 M persons); `--suite office`, every page and export a county office opens
(issue #10: ≤ 1 s on the demo county on SQLite, ≤ 3 s at 1 M persons), as a county
administrator, with two county runs and one township run made first if missing (not timed).

Build the registry first, then run this against the same JINGZHUN_HOME / JINGZHUN_DATABASE_URL:

    JINGZHUN_HOME=/tmp/jz1m jingzhun demo --persons 1000000 --no-serve
    JINGZHUN_HOME=/tmp/jz1m python benchmarks/latency.py [--repeat 20] [--scope province|county]
    JINGZHUN_HOME=/tmp/jzdemo python benchmarks/latency.py --suite office --repeat 5

An export is timed until its last byte (streamed bodies are read whole).

Requests go through the whole Django stack in-process (test client: middleware, session auth,
scoping, filters, templates or serializers). `--scope province` (default, the worst case) runs as
a user whose scope is the whole province, so every query covers all 1 M persons; `--scope county`
as a county administrator of the last county (about 32,000 persons), the everyday case. Network
time is not included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from jingzhun.accounts.models import User  # noqa: E402
from jingzhun.areas.models import Area  # noqa: E402
from jingzhun.registry.models import Household, Person  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def office_cases(user: User) -> dict[str, str]:
    """Every page and export a county office opens (issue #10), over the user's county: two
    finished county runs and one township run are made first if missing (not timed)."""
    from jingzhun.assessment.models import AssessmentRun
    from jingzhun.assessment.services import run_assessment
    from jingzhun.procedures.models import Batch

    county = user.area
    township = Area.objects.filter(parent=county).order_by("code").first()
    village = Area.objects.filter(parent=township).order_by("code").first()
    runs = AssessmentRun.objects.filter(status="finished", year=2018)
    while runs.filter(area_code=county.code).count() < 2:
        run_assessment(standard_id="yunnan-2018", year=2018, area_code=county.code)
    if not runs.filter(area_code=township.code).exists():
        run_assessment(standard_id="yunnan-2018", year=2018, area_code=township.code)
    a, b = runs.filter(area_code=county.code).order_by("-pk").values_list("pk", flat=True)[:2]
    t = runs.filter(area_code=township.code).order_by("-pk").values_list("pk", flat=True)[0]
    r = f"/assessment/runs/{a}"
    cases = {
        "page: home": "/",
        "page: area tree": "/areas/",
        "page: household list": "/registry/households/",
        "xlsx: registry export, one village": f"/registry/export.xlsx?area={village.code}",
        # Over 1,000 households the button (a POST) queues a background export and answers
        # with a redirect to the job's page: that click is timed, not the job.
        "xlsx: registry export, whole county (queued)": "POST /registry/export.xlsx",
        "page: my exports": "/exports/",
        "xlsx: registry template": "/registry/template.xlsx",
        "page: assessment runs": "/assessment/",
        "page: run summary": f"{r}/",
        "xlsx: run report": f"{r}/report.xlsx",
        "page: blockers": f"{r}/blockers/",
        "page: households not meeting income": f"{r}/households/?indicator=income",
        "xlsx: households not meeting income": f"{r}/households.xlsx?indicator=income",
        "page: village readiness": f"{r}/villages/",
        "xlsx: village readiness": f"{r}/villages.xlsx",
        "page: village sheet": f"{r}/villages/{village.code}/sheet/",
        "pdf: village sheet": f"{r}/villages/{village.code}/sheet.pdf",
        "page: county projection": f"{r}/counties/",
        "page: compare two county runs": f"/assessment/compare/?a={b}&b={a}",
        "xlsx: compare two county runs": f"/assessment/compare.xlsx?a={b}&b={a}",
        "page: compare county run with township run": f"/assessment/compare/?a={a}&b={t}",
        # ~7,800 listed households: over 2,000 the button's POST queues a background export.
        "xlsx: compare county run with township run (queued)": (
            f"POST /assessment/compare.xlsx?a={a}&b={t}"
        ),
        "page: procedures board": "/procedures/",
        # The officer's lists (issue #13 item 4): every list and report to .xlsx, the tree's search.
        "xlsx: home": "/?format=xlsx",
        "xlsx: area tree": "/areas/tree.xlsx",
        "page: area tree search": f"/areas/?q={quote(township.name)}",
        "page: help": "/help/",
        "xlsx: procedures board": "/procedures/export.xlsx",
        "page: draft standard editor": "/assessment/draft/",
        # 驾驶舱 (issue #13 item 1): the county's picture, one township's, and the map's shapes.
        "page: dashboard": "/dashboard/",
        "page: dashboard of a township": f"/dashboard/?area={township.code}",
        "json: dashboard map shapes": "/dashboard/map.json",
        "api: assessment runs": "/api/assessment-runs/",
        "api: household verdicts page 1": f"/api/assessment-runs/{a}/verdicts/?level=household",
        "api: county projection": f"/api/assessment-runs/{a}/county-projection/",
    }
    batch = Batch.objects.order_by("pk").first()
    if batch is not None:
        cases["page: procedures batch"] = f"/procedures/batches/{batch.pk}/"
        cases["xlsx: procedures batch"] = f"/procedures/batches/{batch.pk}/export.xlsx"
    cases.update(comparison_cases())
    return cases


def comparison_cases() -> dict[str, str]:
    """The 数据比对 pages (issue #12), over what the demo loaded and its first run."""
    from jingzhun.comparison.models import (
        ComparisonRun,
        Dataset,
        DuplicatePair,
        VerificationTask,
    )

    cases = {
        "page: comparison findings": "/comparison/",
        "xlsx: comparison findings": "/comparison/findings.xlsx",
        "page: verification tasks": "/comparison/tasks/",
        "xlsx: verification tasks": "/comparison/tasks.xlsx?status=all",
        "page: department datasets": "/comparison/datasets/",
        "page: comparison runs": "/comparison/runs/",
        "page: comparison report": "/comparison/reports/",
        "xlsx: comparison report": "/comparison/reports.xlsx",
        "api: findings page 1": "/api/findings/",
    }
    run = ComparisonRun.objects.order_by("-pk").first()
    if run is not None:
        cases["page: comparison run"] = f"/comparison/runs/{run.pk}/"
    largest = Dataset.objects.order_by("-rows").first()
    if largest is not None:
        cases["page: largest department dataset"] = f"/comparison/datasets/{largest.pk}/"
    task = VerificationTask.objects.order_by("pk").first()
    if task is not None:
        cases["page: verification task"] = f"/comparison/tasks/{task.pk}/"
        rule, area = task.finding.rule, task.area_code[:9]
        cases["page: verification tasks of a rule and township"] = (
            f"/comparison/tasks/?status=all&rule={rule}&area={area}"
        )
    if run is not None:
        cases["page: comparison report of a year"] = f"/comparison/reports/?year={run.year}"
    # A task found at the county (an omission on a list without villages): its hand-down form
    # lists the county's villages.
    county_task = VerificationTask.objects.filter(area_code__endswith="000000").first()
    if county_task is not None:
        cases["page: county-level task (hand down)"] = f"/comparison/tasks/{county_task.pk}/"
    cases["page: duplicates"] = "/comparison/duplicates/"
    pair = DuplicatePair.objects.filter(kind="household").order_by("pk").first()
    if pair is not None:
        cases["page: household duplicate pair"] = f"/comparison/duplicates/{pair.pk}/"
    return cases


def body_of(response) -> bytes:
    """The whole body, streamed ones included: an export is timed until its last byte."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scope", choices=["province", "county"], default="province")
    parser.add_argument(
        "--suite",
        choices=["lists", "office"],
        default="lists",
        help="lists: the registry list pages and API (issue #2); office: every page and export "
        "a county office opens, as a county administrator (issue #10)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="time only the cases whose label contains one of these comma-separated texts "
        "(e.g. dashboard,page: home)",
    )
    args = parser.parse_args()
    if args.suite == "office":
        args.scope = "county"

    settings.ALLOWED_HOSTS = ["testserver"]
    persons = Person.objects.count()
    area = Area.objects.filter(level=args.scope).order_by("code").last()
    township = Area.objects.filter(level="township").order_by("code").last()
    user, _ = User.objects.update_or_create(
        username=f"latency-bench-{args.scope}", defaults={"role": "county_admin", "area": area}
    )
    client = Client()
    client.force_login(user)
    last_page = max(Household.objects.visible_to(user).count() // 50 // 2, 1)

    cases = (
        office_cases(user)
        if args.suite == "office"
        else {
            "page: household list, page 1": "/registry/households/",
            "page: household list, middle page": f"/registry/households/?page={last_page}",
            "page: filter status+kind": "/registry/households/?status=registered&kind=dibao",
            "page: filter township": f"/registry/households/?area={township.code}",
            "page: gap housing": "/registry/households/?gap=housing",
            "page: pinyin search zs": "/registry/households/?q=zs",
            "api: households page 1": "/api/households/",
            "api: households middle page": f"/api/households/?page={last_page}",
            "api: persons filter township": f"/api/persons/?area={township.code}",
            "api: persons pinyin search": "/api/persons/?q=wxm",
            # 驾驶舱 over the whole scope (a province: every person, ~4,300 villages on the map).
            "page: dashboard": "/dashboard/",
            "json: dashboard map shapes": "/dashboard/map.json",
        }
    )
    wanted = [part for part in args.only.split(",") if part]
    cases = {
        label: url
        for label, url in cases.items()
        if not wanted or any(part in label for part in wanted)
    }
    results = []
    for label, url in cases.items():
        timings = []
        status = None
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            method, _sep, path = url.rpartition(" ")
            response = client.post(path) if method == "POST" else client.get(path)
            body_of(response)
            timings.append((time.perf_counter() - start) * 1000)
            status = response.status_code
        timings = timings[1:]  # the first request warms caches; report steady state
        row = {
            "case": label,
            "url": url,
            "status": status,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
        }
        results.append(row)
        print(f"{label:40s} {status}  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms")

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    summary = {
        "benchmark": "latency",
        "engine": engine,
        "persons": persons,
        "scope": f"{args.scope} {area.code} ({Person.objects.visible_to(user).count()} persons)",
        "households": Household.objects.count(),
        "repeat": args.repeat,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "results": results,
    }
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    only = "-" + "+".join(w.replace(" ", "").replace(":", "") for w in wanted) if wanted else ""
    (out / f"latency-{args.suite}{only}-{engine}-{persons}-{args.scope}.json").write_text(
        json.dumps(summary, indent=2)
    )
    worst = max(r["p95_ms"] for r in results)
    print(f"{engine}, {persons} persons, scope {summary['scope']}: worst p95 {worst} ms")


if __name__ == "__main__":
    main()
