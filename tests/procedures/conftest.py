from tests.procedures.builders import pinned_today, staff  # noqa: F401
