"""The export kinds: which function writes the file of a job. Each domain app registers its own
kinds in its AppConfig.ready(), so the exports app calls them without importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Protocol

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# progress(done, total): rows written so far of the total expected.
Progress = Callable[[int, int], None]


class Writer(Protocol):
    def __call__(
        self, parameters: dict[str, Any], *, acting_user: Any, target: IO[bytes], progress: Progress
    ) -> None:
        """Write the file of `parameters` (the job's JSON) into `target`, scoped to and audited
        as `acting_user`, calling `progress` as rows are written."""


@dataclass(frozen=True)
class ExportKind:
    name: str  # stored on the job, e.g. "registry.households"
    label: Any  # shown to the user (a lazy translation)
    write: Writer
    file_prefix: str  # the download's name: <prefix>-<YYYYmmdd-HHMM><suffix>
    suffix: str = ".xlsx"
    content_type: str = XLSX
    # The job's parameters as (label, values) a reader understands (贫困户状态 = 未脱贫),
    # not the filter's names and codes (status = registered); None: shown as stored.
    describe: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None


def lazy(path: str) -> Writer:
    """A writer imported on first call (`"package.module.function"`): registering a kind at
    start-up must not import the heavy modules that write it (every process pays for those:
    ~0.5 s of a command's start)."""

    def write(
        parameters: dict[str, Any], *, acting_user: Any, target: IO[bytes], progress: Progress
    ):
        from django.utils.module_loading import import_string

        writer = import_string(path)
        return writer(parameters, acting_user=acting_user, target=target, progress=progress)

    return write


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    """Make `kind` known by its name (again on a re-import: the last one wins)."""
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> ExportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown export kind {name!r}") from None


def registered() -> dict[str, ExportKind]:
    return dict(_KINDS)
