"""The write path of a run: rows shipped in many Arrow batches are the rows of one batch; a
failure in the middle of writing (Arrow batches or INSERT … SELECT) leaves nothing written and
the run failed."""

from __future__ import annotations

import pytest

from jingzhun.assessment import services
from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict
from jingzhun.assessment.services import run_assessment
from tests.assessment.test_runs import stored

pytestmark = pytest.mark.django_db


def counting_writer(monkeypatch, fail_after: int | None = None) -> list[int]:
    """Wrap services.write_arrow: record each batch's size; raise after `fail_after` batches."""
    sizes: list[int] = []
    real = services.write_arrow

    def writer(model, columns, batches):
        def counted():
            for batch in batches:
                if fail_after is not None and len(sizes) >= fail_after:
                    raise RuntimeError("connection lost while writing")
                sizes.append(batch.num_rows)
                yield batch

        return real(model, columns, counted())

    monkeypatch.setattr(services, "write_arrow", writer)
    return sizes


def test_many_batches_store_the_same_rows_as_one(registry, monkeypatch):
    one = run_assessment(standard_id="yunnan-2018", engine="duckdb")
    sizes = counting_writer(monkeypatch)
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    many = run_assessment(standard_id="yunnan-2018", engine="duckdb")
    assert max(sizes) == 2 and len(sizes) > 20  # really many batches
    assert sum(sizes) == Verdict.objects.filter(run=many).count() + (
        IndicatorResult.objects.filter(run=many).count()
    )
    assert stored(Verdict, many) == stored(Verdict, one)
    assert stored(IndicatorResult, many) == stored(IndicatorResult, one)
    assert many.counts == one.counts


def test_the_database_engine_writes_inside_the_database(registry, monkeypatch):
    sizes = counting_writer(monkeypatch)
    run = run_assessment(standard_id="yunnan-2018", engine="db")
    assert sizes == []  # INSERT … SELECT: no row came through Python
    assert Verdict.objects.filter(run=run).count() == 6 + 4 + 2
    # One result row per unmet indicator only (of 6 households × 6 + 4 villages × 10 + 2
    # counties × 5 pairs), none for a met one.
    unmet = sum(len(v.unmet_ids) for v in Verdict.objects.filter(run=run))
    results = IndicatorResult.objects.filter(run=run)
    assert 0 < unmet < 36 + 40 + 10
    assert results.count() == unmet
    assert not results.filter(met=True).exists()


def test_a_failure_in_the_middle_of_the_batches_writes_nothing(registry, monkeypatch):
    sizes = counting_writer(monkeypatch, fail_after=5)
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    with pytest.raises(RuntimeError):
        run_assessment(standard_id="yunnan-2018", engine="duckdb")
    assert len(sizes) == 5  # verdicts and some results were already sent
    run = AssessmentRun.objects.get()
    assert (run.status, run.error) == ("failed", "RuntimeError: connection lost while writing")
    assert not Verdict.objects.exists() and not IndicatorResult.objects.exists()


def test_a_failing_insert_select_writes_nothing(registry, monkeypatch):
    calls: list[str] = []
    real = services.insert_select

    def insert(model, columns, sql):
        calls.append(model.__name__)
        if len(calls) == 4:  # household verdicts and two indicators are in by then
            raise RuntimeError("disk full")
        return real(model, columns, sql)

    monkeypatch.setattr(services, "insert_select", insert)
    with pytest.raises(RuntimeError):
        run_assessment(standard_id="yunnan-2018", engine="db")
    assert calls == ["Verdict", "IndicatorResult", "IndicatorResult", "IndicatorResult"]
    run = AssessmentRun.objects.get()
    assert (run.status, run.error) == ("failed", "RuntimeError: disk full")
    assert not Verdict.objects.exists() and not IndicatorResult.objects.exists()
