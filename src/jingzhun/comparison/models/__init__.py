"""The comparison's models, by sub-domain: department datasets and their rows (`datasets`), runs
with their findings and verification tasks (`runs`), links of rows to persons (`links`) and
duplicate pairs (`duplicates`). Imported from here (`comparison.models`), where Django finds
them."""

from .datasets import Dataset, DatasetRow
from .duplicates import DuplicatePair
from .links import RowLink
from .runs import ComparisonRun, Finding, VerificationTask

__all__ = [
    "ComparisonRun",
    "Dataset",
    "DatasetRow",
    "DuplicatePair",
    "Finding",
    "RowLink",
    "VerificationTask",
]
