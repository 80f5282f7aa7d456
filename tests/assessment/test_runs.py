"""Stored assessment runs: same rows on every engine, right counts, explanations, failure, scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.assessment import services
from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict
from jingzhun.assessment.services import run_assessment
from jingzhun.audit.models import AuditEntry
from jingzhun.standards import loader
from jingzhun.standards.errors import StandardError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERDICT_FIELDS = (
    "level",
    "entity",
    "household_id",
    "area_code",
    "met",
    "unmet",
    "indicator_values",
)
RESULT_FIELDS = (
    "level",
    "entity",
    "area_code",
    "indicator",
    "value",
    "threshold",
    "met",
    "explanation_zh",
    "explanation_en",
)


def stored(model, run) -> list[tuple]:
    fields = VERDICT_FIELDS if model is Verdict else RESULT_FIELDS
    return sorted(model.objects.filter(run=run).values_list(*fields), key=repr)


def test_db_and_duckdb_runs_store_identical_rows(registry):
    on_db = run_assessment(standard_id="yunnan-2018", engine="db")
    on_duck = run_assessment(standard_id="yunnan-2018", engine="duckdb")
    assert (on_db.status, on_duck.status) == ("finished", "finished")
    assert stored(Verdict, on_db) == stored(Verdict, on_duck)
    assert stored(IndicatorResult, on_db) == stored(IndicatorResult, on_duck)
    assert on_db.counts == on_duck.counts
    assert on_db.thresholds == on_duck.thresholds


def test_spark_run_stores_the_same_rows_as_the_database(
    registry, spark, tmp_path, settings, monkeypatch
):
    settings.SNAPSHOT_DIR = str(tmp_path)
    backends, real = [], services.spark_snapshot

    def spark_snapshot(directory, *, master):
        assert Path(directory).parent == tmp_path
        backends.append((master, real(directory, master=master)))
        return backends[-1][1]

    monkeypatch.setattr(services, "spark_snapshot", spark_snapshot)
    on_db = run_assessment(standard_id="yunnan-2018", engine="db")
    on_spark = run_assessment(standard_id="yunnan-2018", engine="spark", spark_master="local[2]")
    assert (on_spark.status, on_spark.engine) == ("finished", "spark")
    assert stored(Verdict, on_db) == stored(Verdict, on_spark)
    assert stored(IndicatorResult, on_db) == stored(IndicatorResult, on_spark)
    assert on_db.counts == on_spark.counts
    assert on_db.thresholds == on_spark.thresholds
    # The snapshot was written under SNAPSHOT_DIR and is gone, with Spark's views over it.
    [(master, backend)] = backends
    assert master == "local[2]"
    assert list(tmp_path.iterdir()) == []
    assert "registry_person" not in {t.name for t in backend._session.catalog.listTables()}


def test_counts_verdicts_and_explanations(registry):
    run = run_assessment(standard_id="yunnan-2018", year=2018)
    run.refresh_from_db()
    # 6 households not deregistered; 4 villages; 2 counties (532527, 522301).
    assert {level: c["entities"] for level, c in run.counts.items()} == {
        "household": 6,
        "village": 4,
        "county": 2,
    }
    for level, c in run.counts.items():
        assert c["met"] == Verdict.objects.filter(run=run, level=level, met=True).count()
    assert run.data_date is not None and run.finished is not None
    h1 = registry["h"][0]
    verdict = Verdict.objects.get(run=run, household=h1)
    assert (verdict.level, verdict.entity, verdict.area_code, verdict.met) == (
        "household",
        str(h1.pk),
        h1.village_id,
        False,
    )
    assert verdict.unmet_ids == ["income", "education", "medical", "pension"]
    income = IndicatorResult.objects.get(run=run, entity=str(h1.pk), indicator="income")
    assert (income.value, income.threshold, income.met) == (2000.01, 2995.0, False)
    assert "2,000.01" in income.explanation_zh and "2,995" in income.explanation_zh
    assert "2,995" in income.explanation_en
    # Every indicator's value on the verdict (the unmet ones equal their result rows), the
    # thresholds once on the run, in the standard's order.
    ids = [i.id for i in loader.load("yunnan-2018").indicators("household")]
    assert sorted(ids) == ["education", "housing", "income", "measures", "medical", "pension"]
    assert run.indicator_ids("household") == ids
    assert ["income", 2995.0] in run.thresholds["household"]
    assert run.threshold_of("household", "housing") is None  # a yes/no indicator
    values = verdict.values_by_indicator()
    assert list(values) == ids
    assert (values["income"], values["housing"]) == (2000.01, 1.0)
    assert values["measures"] >= 1
    # Result rows for unmet indicators only, each with sentences in both languages.
    results = IndicatorResult.objects.filter(run=run)
    assert sorted(results.filter(entity=str(h1.pk)).values_list("indicator", flat=True)) == sorted(
        verdict.unmet_ids
    )
    for v in Verdict.objects.filter(run=run):
        found = results.filter(level=v.level, entity=v.entity)
        assert sorted(found.values_list("indicator", flat=True)) == sorted(v.unmet_ids)
        for result in found:
            assert result.value == v.values_by_indicator()[result.indicator]
            assert result.threshold == run.threshold_of(v.level, result.indicator)
    assert not results.filter(met=True).exists()
    assert not results.filter(explanation_zh="").exists()
    assert not results.filter(explanation_en="").exists()
    # h2 has no income record: the no-data sentence, not a number.
    h2 = IndicatorResult.objects.get(run=run, entity=str(registry["h"][1].pk), indicator="income")
    assert (h2.value, h2.met) == (None, False)
    assert "无数据" in h2.explanation_zh
    entry = AuditEntry.objects.get(model="assessment.assessmentrun", object_id=str(run.pk))
    assert entry.action == "create"


def test_unknown_standard_is_refused_before_a_run_exists(registry):
    with pytest.raises((StandardError, FileNotFoundError)):
        run_assessment(standard_id="atlantis-2099")
    assert AssessmentRun.objects.count() == 0


def test_a_failure_during_the_run_marks_it_failed(registry, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr("jingzhun.assessment.services.input_view", broken)
    with pytest.raises(RuntimeError):
        run_assessment(standard_id="yunnan-2018")
    run = AssessmentRun.objects.get()
    assert (run.status, run.error) == ("failed", "RuntimeError: engine exploded")
    assert run.finished is not None
    assert not Verdict.objects.exists() and not IndicatorResult.objects.exists()


def test_scope_is_enforced(registry):
    v1, vb = registry["v"][0], registry["v"][3]
    county = v1.parent.parent
    user = UserFactory(role="county_admin", area=county)
    with pytest.raises(PermissionDenied):
        run_assessment(standard_id="yunnan-2018", area_code=vb.code, acting_user=user)
    assert AssessmentRun.objects.count() == 0 and not AuditEntry.objects.exists()
    # Default: the user's own area; only its entities are assessed.
    run = run_assessment(standard_id="yunnan-2018", acting_user=user)
    assert (run.area_code, run.created_by) == (county.code, user)
    codes = set(Verdict.objects.filter(run=run).values_list("area_code", flat=True))
    assert codes and all(code.startswith("532527") for code in codes)
    assert run.counts["household"]["entities"] == 5
    assert list(AssessmentRun.objects.visible_to(user)) == [run]
    other = UserFactory(role="county_admin", area=vb.parent.parent)
    assert not Verdict.objects.visible_to(other).filter(run=run).exists()


def test_duckdb_run_scoped_to_a_village(registry):
    v1 = registry["v"][0]
    run = run_assessment(standard_id="yunnan-2018", engine="duckdb", area_code=v1.code)
    # h1-h3 (h4 is deregistered), none met; the village itself; no county under a village.
    assert {level: c["entities"] for level, c in run.counts.items()} == {
        "household": 3,
        "village": 1,
        "county": 0,
    }
    assert run.counts["household"]["met"] == 0
    assert set(
        Verdict.objects.filter(run=run, level="household").values_list("area_code", flat=True)
    ) == {v1.code}


def test_a_sentence_without_a_value_is_stored_as_written(registry):
    """yunnan-2018 `measures` says "未享受任何政策…" with no {value}: nothing is appended."""
    run = run_assessment(standard_id="yunnan-2018", year=2018)
    h6 = registry["h"][5]  # registered, no measure at all
    result = IndicatorResult.objects.get(run=run, entity=str(h6.pk), indicator="measures")
    assert result.met is False
    assert result.explanation_zh == "未享受任何政策、资金或项目帮扶措施"
    assert result.explanation_en == "No policy, fund or project measure received"
