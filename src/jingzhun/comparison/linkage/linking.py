"""Link loaded datasets to the registry: token links for tokenised files whose agreement key
the county holds, fuzzy (possible) links for rows without a valid number. One audit entry per
call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action

from ..models import Dataset
from . import fuzzy, keys, tokens


@dataclass
class LinkSummary:
    token_links: dict[int, int] = field(default_factory=dict)  # dataset id → rows linked
    missing_keys: list[str] = field(default_factory=list)  # key_ids with no key file held
    possible: int = 0  # fuzzy links written, awaiting a person's decision


def link_datasets(
    datasets: Iterable[Dataset], *, acting_user: Any = None, fuzzy_too: bool = True
) -> LinkSummary:
    """Token and fuzzy links of `datasets` (replacing the undecided ones they had; only the
    token links without `fuzzy_too`). A tokenised dataset whose key the county does not hold
    gets no token links (its key_id is reported); KeyFileError when a key file may not be
    used."""
    datasets = list(datasets)
    summary = LinkSummary()
    by_key: dict[str, list[Dataset]] = {}
    for dataset in datasets:
        if dataset.key_id:
            by_key.setdefault(dataset.key_id, []).append(dataset)
    for key_id, group in sorted(by_key.items()):
        key = keys.agreement_key(key_id)
        if key is None:
            summary.missing_keys.append(key_id)
            continue
        registry = tokens.registry_tokens(key)  # once per agreement, not per file
        for dataset in group:
            summary.token_links[dataset.pk] = tokens.link_tokens(dataset, key, registry)
    if datasets and fuzzy_too:
        summary.possible = fuzzy.link_fuzzy(d.pk for d in datasets)
    if summary.token_links or summary.possible or summary.missing_keys:
        audit.record(
            actor=acting_user if getattr(acting_user, "pk", None) else None,
            action=Action.UPDATE,
            model="comparison.rowlink",
            object_repr=", ".join(f"#{d.pk}" for d in datasets)[:200],
            changes={
                "datasets": [d.pk for d in datasets],
                "token_links": {str(k): v for k, v in summary.token_links.items()},
                "possible": summary.possible,
                "missing_keys": summary.missing_keys,
            },
            area_code=datasets[0].area_id if len(datasets) == 1 else "",
            message=_("部门数据匹配：令牌匹配 {tokens} 行，可能匹配 {possible} 对").format(
                tokens=sum(summary.token_links.values()), possible=summary.possible
            ),
        )
    return summary
