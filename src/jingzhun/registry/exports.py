"""The registry's export kinds for background exports (registered in RegistryConfig.ready)."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jingzhun.exports.kinds import ExportKind, Progress

from .models import Household


def filtered_households(user: Any, parameters: dict[str, list[str]]) -> QuerySet[Household]:
    """The households of the list page's filter (name → values, as the page's GET query) within
    what `user` may see; an invalid filter raises ValueError (the page shows none instead)."""
    from .filters import HouseholdFilter  # pinyin tables: not at start-up (RegistryConfig.ready)

    data = QueryDict(mutable=True)
    for name, values in parameters.items():
        data.setlist(name, values if isinstance(values, list) else [values])
    filterset = HouseholdFilter(data, queryset=Household.objects.visible_to(user))
    if not filterset.is_valid():
        raise ValueError(str(filterset.errors.as_text()))
    return filterset.qs


def write_households(
    parameters: dict[str, list[str]], *, acting_user: Any, target: IO[bytes], progress: Progress
) -> None:
    """The registry workbook of the filter, as the 导出 Excel button writes it (audited there)."""
    from .excel.writer import write_export

    households = filtered_households(acting_user, parameters)
    write_export(households, target, acting_user=acting_user, filters=parameters, progress=progress)


def describe_households(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The filter of a household export in the list page's words: the filter's Chinese label
    and, for a choice, the choice's label (贫困户状态 = 未脱贫、返贫), in the filter's order."""
    from .filters import HouseholdFilter

    items = []
    for name, spec in HouseholdFilter.base_filters.items():
        values = parameters.get(name)
        if values in (None, "", []):
            continue
        values = values if isinstance(values, list) else [values]
        labels = dict(spec.extra.get("choices") or ())
        shown = "、".join(str(labels.get(value, value)) for value in values if value != "")
        if shown:
            items.append((str(spec.label or name), shown))
    return items


HOUSEHOLDS = ExportKind(
    name="registry.households",
    label=_("建档立卡登记表"),
    write=write_households,
    file_prefix="registry",
    describe=describe_households,
)
