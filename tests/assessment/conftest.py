# The hand-built registry and the shared Spark session.
from tests.engine.conftest import registry, spark  # noqa: F401
