# The hand-built registry and the shared Spark session.
from tests.engine.conftest import registry, spark  # noqa: F401

# The read-only pages of one run (named URLs taking the run's pk): every one is scoped.
READ_PAGES = [
    "assessment-run",
    "assessment-blockers",
    "assessment-list",
    "assessment-villages",
    "assessment-counties",
    "assessment-run-xlsx",
    "assessment-list-xlsx",
    "assessment-villages-xlsx",
]
