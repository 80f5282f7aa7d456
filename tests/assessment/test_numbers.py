"""The engine-side number rendering matches explain.number() on every engine."""

from __future__ import annotations

import ibis
import pytest

from jingzhun.engine.django import app_backend
from jingzhun.rates import rate
from jingzhun.standards.explain import number, number_expr

pytestmark = pytest.mark.django_db

VALUES = [
    0,
    7,
    12.5,
    0.05,
    2870,
    2000.01,
    2995.5,
    1234567.89,
    1000000000,
    -12.3,
    -4500,
    0.1,
    1000,
    100000.1,
    999999.99,
    -0.004,
    0.996,
    10.0,
    123456789012.34,
]


def numbers_on(backend) -> list[str]:
    """All VALUES rendered in one scalar query (Spark pays a lot per query)."""
    joined = number_expr(ibis.literal(VALUES[0], "float64"))
    for value in VALUES[1:]:
        joined = joined + "|" + number_expr(ibis.literal(value, "float64"))
    return backend.execute(joined).split("|")


@pytest.mark.parametrize("engine", ["app", "duckdb", "spark"])
def test_number_expr_matches_explain_number(engine, request):
    if engine == "spark":
        session = request.getfixturevalue("spark")
        backend = ibis.pyspark.connect(session.newSession())
    else:
        backend = app_backend() if engine == "app" else ibis.duckdb.connect()
    shown = numbers_on(backend)
    assert shown == [number(v) for v in VALUES]
    assert shown[:4] == ["0", "7", "12.5", "0.05"]
    assert shown[7:9] == ["1,234,567.89", "1,000,000,000"]


RATES = [0, 5.4, 39.575, 39.565, 42.857143, 100, 30, 0.005, 2.445, -1.005, -0.001, 1250.5]


@pytest.mark.parametrize("engine", ["app", "duckdb", "spark"])
def test_rate_expr_matches_rates_rate(engine, request):
    """Rates in the engine's sentences: two decimals, half up, as `rates.rate()` prints them."""
    if engine == "spark":
        session = request.getfixturevalue("spark")
        backend = ibis.pyspark.connect(session.newSession())
    else:
        backend = app_backend() if engine == "app" else ibis.duckdb.connect()
    joined = number_expr(ibis.literal(RATES[0], "float64"), rate=True)
    for value in RATES[1:]:
        joined = joined + "|" + number_expr(ibis.literal(value, "float64"), rate=True)
    shown = backend.execute(joined).split("|")
    assert shown == [rate(v) for v in RATES]
    assert shown[:5] == ["0.00", "5.40", "39.58", "39.57", "42.86"]
    assert shown[-2:] == ["0.00", "1,250.50"]
