"""The comparison benchmark's generator (benchmarks/compare/generate.py) and its floor
(baselines.duckdb_sql): valid and broken ID numbers, strangers that never collide with the
registry, one current file per kind and county with its rows numbered, and the hand-written SQL
finding exactly what the real run stores, per rule, person and row."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.compare import baselines, generate

from jingzhun import idcodes
from jingzhun.comparison.models import Dataset, DatasetRow, Finding
from jingzhun.comparison.runs import create_run, execute_run
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
