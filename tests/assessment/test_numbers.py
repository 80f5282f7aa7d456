"""The engine-side number rendering matches explain.number() on every engine."""

from __future__ import annotations

import ibis
import pytest

from jingzhun.engine.django import app_backend
from jingzhun.standards.explain import number, number_expr

pytestmark = pytest.mark.django_db

VALUES = [0, 7, 12.5, 0.05, 2870, 2000.01, 2995.5, 1234567.89, 1000000000, -12.3, -4500]


@pytest.mark.parametrize("engine", ["app", "duckdb"])
def test_number_expr_matches_explain_number(engine):
    backend = app_backend() if engine == "app" else ibis.duckdb.connect()
    shown = [backend.execute(number_expr(ibis.literal(v, "float64"))) for v in VALUES]
    assert shown == [number(v) for v in VALUES]
    assert shown[:4] == ["0", "7", "12.5", "0.05"]
    assert shown[7:9] == ["1,234,567.89", "1,000,000,000"]
