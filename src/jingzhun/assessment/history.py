"""One household's verdicts over time: every finished run visible to the user that assessed it,
newest first, with what changed against the run before it (indicators newly met, newly unmet).

Two queries whatever the number of runs: the verdicts with their run, then the sentences of
their unmet indicators. Read through `visible_to(user)` like every report (a verdict is scoped by
its village code, so a county user also sees the verdicts of a province-wide run)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from jingzhun.registry.models import Household

from . import reports
from .choices import Level, Status
from .models import AssessmentRun, IndicatorResult, Verdict, containing_codes

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class Reason:
    indicator: str
    label: str
    sentence: str


@dataclass
class HistoryEntry:
    verdict: Verdict
    run: AssessmentRun
    standard: str
    reasons: list[Reason]  # the unmet indicators, in the standard's order
    # Against the previous (older) run in the list, over the indicators both runs assessed;
    # `compared` is False for the oldest run shown.
    compared: bool = False
    previous_met: bool | None = None
    newly_met: list[str] = field(default_factory=list)  # labels
    newly_unmet: list[str] = field(default_factory=list)  # labels
    standard_changed: bool = False
    linkable: bool = False  # the run's own page is readable by the user

    @property
    def met(self) -> bool:
        return self.verdict.met

    @property
    def met_changed(self) -> bool:
        return self.compared and self.previous_met != self.met

    def as_latest(self) -> dict[str, Any]:
        """The shape the household page's current-verdict section reads."""
        return {
            "verdict": self.verdict,
            "run": self.run,
            "standard": self.standard,
            "linkable": self.linkable,
            "reasons": [
                {"indicator": r.indicator, "label": r.label, "sentence": r.sentence}
                for r in self.reasons
            ],
        }


@dataclass
class History:
    entries: list[HistoryEntry]
    more: bool  # older runs exist beyond the ones shown
    limit: int

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.entries[0].as_latest() if self.entries else None


def _run_visible(run: AssessmentRun, scope: str | None) -> bool:
    """Whether `AssessmentRun.objects.readable_by` would return the run (no query)."""
    if scope is None:
        return False
    if scope == "" or run.area_code.startswith(scope):
        return True
    return run.status == Status.FINISHED and run.area_code in containing_codes(scope)


def household_history(user: Any, household: Household, limit: int = HISTORY_LIMIT) -> History:
    """The household's verdicts in the finished runs visible to the user, newest first (at most
    `limit`; `more` says older ones exist). Each entry carries the unmet indicators with their
    sentence in the user's language and the changes against the next older run. Two queries
    (one when the household was never assessed)."""
    # One beyond the limit: the oldest row shown still gets its changes, and `more` is known.
    found = list(
        Verdict.objects.visible_to(user)
        # By entity (the household id as text), which the (run, level, entity) index serves
        # per run; there is no index on household_id (it slowed every run's store).
        .filter(level=Level.HOUSEHOLD, entity=str(household.pk), run__status=Status.FINISHED)
        .select_related("run")
        .order_by(F("run__finished").desc(nulls_last=True), "-run_id")[: limit + 1]
    )
    if not found:
        return History([], False, limit)
    sentences: dict[tuple[int, str], dict[str, str]] = defaultdict(dict)
    for run_id, entity, indicator, text in (
        IndicatorResult.objects.visible_to(user)
        .filter(
            run_id__in={v.run_id for v in found},
            level=Level.HOUSEHOLD,
            entity__in={v.entity for v in found},
            met=False,
        )
        .values_list("run_id", "entity", "indicator", reports.explanation_field())
    ):
        sentences[(run_id, entity)][indicator] = text
    scope = user.scope_prefix()
    entries = []
    for verdict in found:
        run = verdict.run
        labels = {i.id: i.label for i in reports.indicators_of(run, Level.HOUSEHOLD)}
        said = sentences[(run.pk, verdict.entity)]
        entries.append(
            HistoryEntry(
                verdict=verdict,
                run=run,
                standard=reports.standard_name(run),
                reasons=[
                    Reason(i, str(labels.get(i, i)), said.get(i, "")) for i in verdict.unmet_ids
                ],
                linkable=_run_visible(run, scope),
            )
        )
    for entry, older in zip(entries, entries[1:], strict=False):
        _compare(entry, older)
    return History(entries[:limit], len(entries) > limit, limit)


def _compare(entry: HistoryEntry, older: HistoryEntry) -> None:
    """Set the changes of `entry` against the run before it, over the indicators both assessed
    (an indicator one standard lacks is neither newly met nor newly unmet)."""
    shared = set(entry.run.indicator_ids(Level.HOUSEHOLD)) & set(
        older.run.indicator_ids(Level.HOUSEHOLD)
    )
    now = set(entry.verdict.unmet_ids)
    before = set(older.verdict.unmet_ids)
    labels = {r.indicator: r.label for r in (*entry.reasons, *older.reasons)}
    order = entry.run.indicator_ids(Level.HOUSEHOLD)
    entry.compared = True
    entry.previous_met = older.met
    entry.newly_unmet = [labels[i] for i in order if i in shared and i in now - before]
    # Newly met ids are not unmet now: their label comes from the older run's reasons.
    entry.newly_met = [labels[i] for i in order if i in shared and i in before - now]
    entry.standard_changed = (entry.run.standard_id, entry.run.standard_version) != (
        older.run.standard_id,
        older.run.standard_version,
    )
