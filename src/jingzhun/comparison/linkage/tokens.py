"""Token links: a tokenised dataset's rows joined to registered persons by the token the
registry's own ID numbers give under the agreement key (`idtokens.token`). The registry's
tokens are computed in bulk (HMAC over the ID column, nothing stored but the links) and the
matches written as confirmed `RowLink`s of method `token`: a row that matches nobody keeps only
its token, so no raw number of a department's non-matching person is ever stored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.db import transaction

from jingzhun.core import bulk
from jingzhun.registry.models import Person

from ..choices import LinkStatus, Method
from ..models import Dataset, DatasetRow, RowLink


def registry_tokens(key: bytes) -> dict[str, tuple[int, str]]:
    """token → (person id, village code) for every registered person.

    The registry stores its numbers normalised (18 characters, upper-case X: `idcodes`), the
    form `idtokens.token` hashes, so the HMAC is taken over them as they are."""
    digest = hmac.digest
    return {
        digest(key, number.encode("utf-8"), hashlib.sha256).hex(): (pk, village)
        for pk, number, village in Person.objects.values_list(
            "pk", "id_number", "household__village_id"
        ).iterator(chunk_size=20_000)
        if number
    }


def link_tokens(dataset: Dataset, key: bytes, tokens: dict[str, tuple[int, str]] | None) -> int:
    """Replace the token links of `dataset` by those its rows' tokens give now (the registry
    may have changed since the last time); the number of rows linked. `tokens` as
    `registry_tokens(key)` (computed once for several datasets of one agreement)."""
    tokens = registry_tokens(key) if tokens is None else tokens
    rows: Iterable[tuple[int, str]] = (
        DatasetRow.objects.filter(dataset=dataset)
        .exclude(id_token="")
        .values_list("pk", "id_token")
        .iterator(chunk_size=20_000)
    )
    links = []
    for row_id, token in rows:
        found = tokens.get(token)
        if found is not None:
            person_id, village = found
            links.append(
                {
                    "dataset_row_id": row_id,
                    "person_id": person_id,
                    "area_code": village,
                    "method": Method.TOKEN,
                    "status": LinkStatus.CONFIRMED,
                }
            )
    with transaction.atomic():
        RowLink.objects.filter(dataset_row__dataset=dataset, method=Method.TOKEN).delete()
        bulk.insert_dicts(RowLink, links)
        # From now on a token that matched nobody means "not registered" (an omission rule).
        Dataset.objects.filter(pk=dataset.pk).update(tokens_linked=True)
    dataset.tokens_linked = True
    return len(links)
