"""The demo county's department files: they load, every dataset rule finds real cases, the near
misses are there and not flagged, strangers' ID numbers are valid and nobody registered, and the
same seed gives the same files."""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from jingzhun import idcodes, povertylines
from jingzhun.comparison.demo import demo_files, load_demo_datasets
from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.models import Dataset, DatasetRow
from jingzhun.registry.demo import DEMO_COUNTY, REFERENCE_DATE, build_demo
from jingzhun.registry.models import Person
from jingzhun.standards import dataset_kinds, rules

SCALE = 0.05
YEAR = REFERENCE_DATE.year
KINDS = {
    "deaths",
    "payroll",
    "vehicles",
    "businesses",
    "property",
    "assistance",
    "insurance",
    "enrolment",
    "disability",
}


@pytest.fixture
def demo(db):
    build_demo(SCALE, users=False)
    return load_demo_datasets(DEMO_COUNTY, YEAR)


def _members() -> set[str]:
    """ID numbers of the persons the comparison sees (households not deregistered)."""
    return set(
        Person.objects.exclude(household__status="deregistered").values_list("id_number", flat=True)
    )


def _rows(kind: str, members: set[str], **lookups: object) -> list[DatasetRow]:
    rows = DatasetRow.objects.filter(dataset__kind=kind, dataset__current=True, **lookups)
    return [r for r in rows if r.id_number in members]


def test_every_kind_loads_and_every_dataset_rule_finds_cases(demo):
    assert set(demo) == KINDS == set(dataset_kinds.available())
    datasets = Dataset.objects.filter(current=True)
    assert {d.kind: d.rows for d in datasets} == demo
    assert {(d.year, d.area_id, d.loaded_by_id) for d in datasets} == {
        (YEAR, DEMO_COUNTY + "000000", None)
    }
    assert not DatasetRow.objects.filter(id_valid=False).exists()

    found = Counter(f.rule.id for f in evaluate("national-2016", year=YEAR))
    with_data = [r.id for r in rules.load("national-2016").rules if r.dataset]
    assert with_data == [
        "deceased",
        "payroll",
        "vehicle",
        "business",
        "property",
        "dibao_unmarked",
        "insured_unmarked",
        "uninsured_marked_insured",
        "enrolled_not_in_school",
        "disability_grade_mismatch",
        "disabled_unmarked",
        "dropout",
        "dibao_not_registered",
    ]
    assert all(found[rule] >= 1 for rule in with_data), found
    # Tens per rule at full scale, a handful at 5 %: never a flood.
    assert all(found[rule] <= 20 for rule in with_data), found


def test_near_misses_exist_and_are_not_flagged(demo):
    members = _members()
    findings = evaluate("national-2016", year=YEAR)
    flagged: dict[str, set[int]] = {}
    for finding in findings:
        flagged.setdefault(finding.rule.id, set()).add(finding.row_id)

    near_misses = {
        "vehicle": _rows("vehicles", members, amount=Decimal("30000")),
        "deceased": _rows("deaths", members, date__gt=REFERENCE_DATE),
        "payroll": _rows("payroll", members, category="村干部"),
        "business": _rows("businesses", members, status__in=["注销", "吊销", "迁出"]),
    }
    dibao = dict(Person.objects.values_list("id_number", "dibao"))
    near_misses["dibao_unmarked"] = [
        r
        for r in _rows("assistance", members, category="低保", status="停保")
        if not dibao[r.id_number]
    ]
    for rule, rows in near_misses.items():
        assert rows, rule
        assert not {r.pk for r in rows} & flagged[rule], rule
    # The vehicles below 30,000 (三轮汽车, 摩托车 …) are not flagged either.
    cheap = _rows("vehicles", members, amount__lt=30000)
    assert cheap and not {r.pk for r in cheap} & flagged["vehicle"]

    # Recipients nobody registered: one household exactly at the line (not below it), most
    # above, a few below (flagged, every one of them).
    line = povertylines.line(YEAR)
    strangers = [
        r
        for r in DatasetRow.objects.filter(dataset__kind="assistance", dataset__current=True)
        if r.id_number not in members
    ]
    below = {r.pk for r in strangers if r.amount2 < line}
    at_line = {r.pk for r in strangers if r.amount2 == line}
    above = {r.pk for r in strangers if r.amount2 > line}
    assert below == flagged["dibao_not_registered"]
    assert at_line and len(above) > 5 * len(below)


def test_strangers_have_valid_numbers_that_nobody_registered_has(demo):
    everyone = set(Person.objects.values_list("id_number", flat=True))
    rows = DatasetRow.objects.filter(dataset__current=True).values_list(
        "dataset__kind", "id_number"
    )
    strangers = Counter(kind for kind, number in rows if number not in everyone)
    assert set(strangers) == KINDS - {"insurance", "enrolment", "disability"}
    numbers = [number for _, number in rows]
    assert all(idcodes.is_valid(n) and n.startswith(DEMO_COUNTY) for n in numbers)
    # Each stranger is one person: a number is not reused across lists for someone else.
    per_number = Counter(number for kind, number in set(rows) if number not in everyone)
    assert set(per_number.values()) == {1}


def test_the_same_seed_gives_the_same_files_and_loading_again_changes_nothing(demo):
    files = demo_files(DEMO_COUNTY, YEAR)
    assert files == demo_files(DEMO_COUNTY, YEAR)
    checksums = {kind: hashlib.sha256(content).hexdigest() for kind, (_, content) in files.items()}
    assert dict(Dataset.objects.values_list("kind", "checksum")) == checksums
    assert demo_files(DEMO_COUNTY, YEAR, seed=7)["vehicles"] != files["vehicles"]

    assert load_demo_datasets(DEMO_COUNTY, YEAR) == demo
    assert Dataset.objects.count() == len(KINDS)


def test_demo_command_loads_the_datasets(db, settings, capsys):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", "--scale", "0.01", "--no-serve")

    out = capsys.readouterr().out
    assert "department data:" in out and "jingzhun compare --year 2018" in out
    assert set(Dataset.objects.values_list("kind", flat=True)) == KINDS
    # … and runs a first comparison, so the pages and the villages' tasks show real cases.
    from jingzhun.comparison.models import ComparisonRun, VerificationTask

    run = ComparisonRun.objects.get()
    assert run.status == "finished" and "comparison:" in out
    assert VerificationTask.objects.count() == sum(n["new"] for n in run.counts.values()) > 0
