"""The comparison benchmark's generator (benchmarks/compare/generate.py) and its floor
(baselines.duckdb_sql): valid and broken ID numbers, strangers that never collide with the
registry, one current file per kind and county with its rows numbered, and the hand-written SQL
finding exactly what the real run stores, per rule, person and row."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from benchmarks.compare import baselines, generate

from jingzhun import idcodes
from jingzhun.comparison.models import Dataset, DatasetRow, Finding
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.standards import rules
from jingzhun.workbook import SYSTEM
from tests.factories import HouseholdFactory, PersonFactory, id_number


def test_check_digits_right_and_wrong():
    numbers = [id_number() for _ in range(50)]
    body = generate.bodies(np.array(numbers, dtype=object))
    assert list(generate.with_check(body)) == numbers
    wrong = generate.with_check(body, np.random.default_rng(1))
    assert not any(idcodes.is_valid(n) for n in wrong)
    assert [n[:17] for n in wrong] == [n[:17] for n in numbers]


@pytest.fixture
def registry(village):
    households = [HouseholdFactory(village=village) for _ in range(20)]
    for index, household in enumerate(households):
        for relation in ("head", "spouse", "son"):
            PersonFactory(household=household, relation=relation, dibao=index % 4 == 0)
    return households


@pytest.mark.django_db(transaction=True)
def test_lists_written_and_floor_agrees_with_the_run(registry, tmp_path):
    written = generate.generate(rows_per_person=40, progress=lambda _: None)
    assert set(written) == set(generate.DRAWS)
    assert sum(written.values()) == DatasetRow.objects.count() > 2000
    county = registry[0].village_id[:6].ljust(12, "0")
    assert set(Dataset.objects.values_list("kind", "area_id", "current")) == {
        (kind, county, True) for kind in generate.DRAWS
    }
    for dataset in Dataset.objects.all():
        rows = sorted(DatasetRow.objects.filter(dataset=dataset).values_list("row", flat=True))
        assert rows == list(range(2, dataset.rows + 2))

    registered = set(PersonFactory._meta.model.objects.values_list("id_number", flat=True))
    listed = DatasetRow.objects.values_list("id_number", "id_valid")
    assert all(idcodes.is_valid(n) == valid for n, valid in listed)
    strangers = {n for n, _ in listed} - registered
    assert len(strangers) > 0.7 * len(listed)  # most rows are nobody registered

    run = execute_run(create_run(ruleset_id="national-2016", year=2018, acting_user=SYSTEM))
    stored = set(
        Finding.objects.filter(first_run=run, rule__in=baselines.FLOOR_RULES).values_list(
            "rule", "person_id", "dataset_row_id"
        )
    )
    baselines.export(tmp_path)
    _, found = baselines.duckdb_sql(tmp_path, 2018)
    assert found == stored
    assert {rule for rule, _, _ in stored} >= {"dibao_not_registered"}


def _edges(village) -> tuple[dict[str, int], set[tuple[str, str, int | None]]]:
    """Persons and department rows at the edges of the rules (ages 5/6/15/16, a date on and
    after 31 December, the year before, NULL flags, grades and dates, a household of another
    kind or deregistered); label → person id, and the findings expected as (rule, label, row)."""
    ordinary = HouseholdFactory(village=village)
    gone = HouseholdFactory(village=village, status="deregistered")
    persons = {
        "age6": ({"birth_date": datetime.date(2012, 12, 31)}, ordinary),
        "age15": ({"birth_date": datetime.date(2003, 1, 1)}, ordinary),
        "age5": ({"birth_date": datetime.date(2013, 1, 1)}, ordinary),
        "age16": ({"birth_date": datetime.date(2002, 12, 31)}, ordinary),
        "age14_senior": (
            {"birth_date": datetime.date(2004, 6, 1), "schooling": "senior"},
            ordinary,
        ),
        "age15_senior": (
            {"birth_date": datetime.date(2003, 6, 1), "schooling": "senior"},
            ordinary,
        ),
        "age60_none": ({"birth_date": datetime.date(1958, 1, 1), "labour": "none"}, ordinary),
        "age61_none": ({"birth_date": datetime.date(1957, 1, 1), "labour": "none"}, ordinary),
        "junior": ({"birth_date": datetime.date(2005, 1, 1), "schooling": "junior"}, ordinary),
        "uninsured": ({"medical_insured": False}, ordinary),
        "grade2": ({"disability_grade": 2, "health": "disabled"}, ordinary),
        "dibao": ({"dibao": True}, ordinary),
        "dibao_kind": ({"dibao": True}, HouseholdFactory(village=village, kind="dibao")),
        "deregistered": ({"dibao": True, "medical_insured": False}, gone),
    }
    ids = {
        label: PersonFactory(household=household, relation="son", **fields).pk
        for label, (fields, household) in persons.items()
    }
    number = {
        label: PersonFactory._meta.model.objects.get(pk=pk).id_number for label, pk in ids.items()
    }
    d = datetime.date
    rows = {  # kind → (person, columns, rules met)
        "enrolment": [
            ("age6", {"status": "辍学", "year": 2018}, {"dropout"}),
            ("age15", {"status": "辍学", "year": 2018}, {"dropout"}),
            ("age5", {"status": "辍学", "year": 2018}, set()),
            ("age16", {"status": "辍学", "year": 2018}, set()),
            ("age15", {"status": "辍学", "year": 2017}, set()),
            ("age15", {"status": "在读", "year": 2018}, {"enrolled_not_in_school"}),
            ("junior", {"status": "在读", "year": 2018}, set()),
            ("age16", {"status": "在读", "year": None}, set()),
        ],
        "insurance": [
            ("uninsured", {"flag": True, "year": 2018}, {"insured_unmarked"}),
            ("uninsured", {"flag": True, "year": 2017}, set()),
            ("uninsured", {"flag": None, "year": 2018}, set()),
            ("age16", {"flag": False, "year": 2018}, {"uninsured_marked_insured"}),
            ("age16", {"flag": None, "year": 2018}, set()),
            ("deregistered", {"flag": True, "year": 2018}, set()),
        ],
        "disability": [
            ("grade2", {"count": 3}, {"disability_grade_mismatch"}),
            ("grade2", {"count": 2}, set()),
            ("grade2", {"count": None}, set()),
            # Distinct categories: rows of the same identity are one finding (runs._key).
            ("age16", {"count": 1, "category": "肢体"}, {"disabled_unmarked"}),
            ("age16", {"count": None, "category": "视力"}, {"disabled_unmarked"}),
        ],
        "property": [
            ("age16", {"category": "商品房", "date": d(2018, 12, 31)}, {"property"}),
            ("age16", {"category": "商铺", "date": d(2019, 1, 1)}, set()),
            ("age16", {"category": "办公用房", "date": None}, set()),
            ("age16", {"category": "自建房", "date": d(2010, 1, 1)}, set()),
        ],
    }
    county = village.code[:6].ljust(12, "0")
    expected: set[tuple[str, str, int | None]] = {
        ("young_in_senior_school", "age14_senior", None),
        ("healthy_without_labour", "age60_none", None),
        ("dibao_in_ordinary_household", "dibao", None),
    }
    for kind, listed in rows.items():
        dataset = Dataset.objects.create(
            kind=kind, year=2018, area_id=county, department="-", received_on=d(2019, 3, 31),
            file_name=f"{kind}.csv", checksum=kind, rows=len(listed), current=True,
        )  # fmt: skip
        for index, (label, columns, met) in enumerate(listed, start=2):
            row = DatasetRow.objects.create(
                dataset=dataset, row=index, id_number=number[label], **columns
            )
            expected |= {(rule, label, row.pk) for rule in met}
    return ids, expected


@pytest.mark.django_db(transaction=True)
def test_floor_and_orm_agree_with_the_run_at_the_edges(village, tmp_path):
    ids, expected = _edges(village)
    label = {pk: name for name, pk in ids.items()}
    run = execute_run(create_run(ruleset_id="national-2016", year=2018, acting_user=SYSTEM))
    stored = set(
        Finding.objects.filter(first_run=run).values_list("rule", "person_id", "dataset_row_id")
    )
    assert {(rule, label[person], row) for rule, person, row in stored} == expected
    assert set(baselines.FLOOR_RULES) == {rule.id for rule in rules.load("national-2016").rules}
    baselines.export(tmp_path)
    _, found = baselines.duckdb_sql(tmp_path, 2018)
    assert found == stored
    _, _, found_orm = baselines.orm_batched(sorted(ids.values()), [], 2018, run.pk)
    assert found_orm == stored


@pytest.mark.django_db(transaction=True)
def test_the_side_lists_link_their_registered_rows_only(registry):
    """The fuzzy and token benchmarks' lists (benchmarks/compare/fuzzy.py, tokens.py): a third
    of the rows are registered persons, kept out of the rules; the token list links exactly
    those rows, each to its own person (as `tokens.link` checks at scale)."""
    from benchmarks.compare import fuzzy, tokens

    from jingzhun.comparison.linkage.tokens import link_tokens
    from jingzhun.comparison.models import RowLink

    unkeyed, registered = fuzzy.unkeyed_dataset(30)
    assert registered == 10 and not Dataset.objects.get(pk=unkeyed).current
    assert not DatasetRow.objects.filter(dataset_id=unkeyed, id_valid=True).exists()

    dataset_id, registered = tokens.tokenised_dataset(30)
    dataset = Dataset.objects.get(pk=dataset_id)
    assert (dataset.key_id, dataset.current, registered) == (tokens.KEY_ID, False, 10)
    assert not DatasetRow.objects.filter(dataset=dataset).exclude(id_number="").exists()
    assert link_tokens(dataset, tokens.KEY, None) == 10
    linked = RowLink.objects.filter(dataset_row__dataset=dataset).select_related(
        "dataset_row", "person__household"
    )
    assert {link.dataset_row.row for link in linked} == set(range(2, 12))
    assert all(
        (link.person.name, link.person.household.village_id)
        == (link.dataset_row.name, link.dataset_row.area_code)
        for link in linked
    )
