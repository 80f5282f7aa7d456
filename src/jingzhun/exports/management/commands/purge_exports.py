"""`jingzhun purge_exports [--days N]`: the former name of `jingzhun purge_files`, kept so that
existing schedules go on working; it now deletes the import error files too."""

from __future__ import annotations

from .purge_files import Command as PurgeFiles


class Command(PurgeFiles):
    pass
