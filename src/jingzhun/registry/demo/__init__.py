"""The synthetic demo county and the province-sized benchmark registry (issue #2)."""

from .build import (
    DEMO_COUNTY,
    DEMO_PASSWORD,
    CountyPlan,
    build_county,
    build_demo,
    build_province,
    create_demo_users,
    demo_exists,
    summary,
    village_targets,
)
from .households import REFERENCE_DATE, Gaps, HouseholdGenerator, income_parts
from .serving import ensure_migrated, serve
from .writer import BulkWriter

__all__ = [
    "DEMO_COUNTY",
    "DEMO_PASSWORD",
    "REFERENCE_DATE",
    "BulkWriter",
    "CountyPlan",
    "Gaps",
    "HouseholdGenerator",
    "build_county",
    "build_demo",
    "build_province",
    "create_demo_users",
    "demo_exists",
    "ensure_migrated",
    "income_parts",
    "serve",
    "summary",
    "village_targets",
]
