"""The import kinds: which function checks and writes a job's file. Each domain app registers
its own in its AppConfig.ready(), so the imports app runs them without importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# progress(step): the step that starts (workbook.progress.STEPS).
Progress = Callable[[str], None]


class Runner(Protocol):
    def __call__(
        self,
        path: str,
        *,
        name: str,
        acting_user: Any,
        parameters: dict[str, Any],
        progress: Progress,
    ) -> Any:
        """Check (and unless parameters["dry_run"], write) the workbook at `path`, scoped to and
        audited as `acting_user`; answer its result (`errors`, `counts`, `batch`, …)."""


@dataclass(frozen=True)
class ImportKind:
    name: str  # stored on the job, e.g. "registry.workbook"
    label: Any  # shown to the user (a lazy translation)
    run: Runner
    page: str  # the URL name of its upload page (a link back from the job)


def lazy(path: str) -> Runner:
    """A runner imported on first call: registering a kind at start-up must not import the
    modules that do the work (every process would pay for them)."""

    def run(path_: str, **kwargs: Any) -> Any:
        from django.utils.module_loading import import_string

        return import_string(path)(path_, **kwargs)

    return run


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> ImportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown import kind {name!r}") from None
