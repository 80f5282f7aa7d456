"""Department files for the demo county (issue #12 item 10): one per dataset kind, drawn from the
registry as it stands and loaded as the command line would, so `jingzhun compare --year 2018`
finds real cases on the demo.

Each list mixes registered members that a rule should flag (hits), registered members that look
alike but must not be flagged (near misses: a death after the year, a village cadre, a vehicle
at exactly 30,000 yuan, a closed business, a stopped dibao, a recipient at the line) and many
people who are not registered at all (new valid ID numbers that cannot collide with the
registry's). The registry is read set-based (one query per table); the files are written in
memory as .csv with the kind's headers and go through `loading.load_dataset` like any upload.
Every draw comes from a seeded generator per kind: the same registry and seed give byte-identical
files, so loading them again changes nothing.
"""

from .county import DEFAULT_SEED, DatasetPlan
from .files import demo_files, load_demo_datasets, to_csv

__all__ = ["DEFAULT_SEED", "DatasetPlan", "demo_files", "load_demo_datasets", "to_csv"]
