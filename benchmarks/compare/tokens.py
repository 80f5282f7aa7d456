"""Token links at province scale (issue #12 item 4): one tokenised department file — every row
carries only the HMAC token of an ID number under an agreement's key, never the number — linked
to the registry as `jingzhun link_datasets` and every comparison run over a tokenised list do
(`linkage.tokens.registry_tokens` for every registered person, then `link_tokens`).

A third of the rows are registered persons' tokens, the rest strangers' (numbers nobody
registered). The file is kept out of the rules (not current). Timed in a child process (so its
peak memory is its own): the registry's tokens and the links written; checked: every registered
row linked to its own person, no stranger linked.
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import resource
import time
from typing import Any

import numpy as np
from django.db import connection, connections

from jingzhun.comparison.models import Dataset

from .fuzzy import draw, kept, side_list

KIND = "insurance"
CHECKSUM = hashlib.sha256(b"bench:tokens").hexdigest()
KEY = hashlib.sha256(b"jingzhun benchmark agreement key").digest() * 2  # 64 bytes
KEY_ID = "bench-tokens"


def tokenised_dataset(rows: int, seed: int = 2018, year: int = 2018) -> tuple[int, int]:
    """The tokenised file (drawn once, reused): (dataset id, registered rows at its start)."""
    registered = rows // 3
    if (kept_id := kept(CHECKSUM, rows)) is not None:
        return kept_id, registered
    registry, lists = draw(seed, year, stream=77)
    who = lists.pick(registered)
    numbers, names, villages = lists.strangers(rows - len(who))
    every = np.concatenate([registry.id_number[who], numbers])
    tokens = [hmac.digest(KEY, str(n).encode(), hashlib.sha256).hex() for n in every]  # setup
    blocks = {
        "id_number": "",  # a tokenised file holds no number
        "id_token": np.array(tokens, dtype=object),
        "id_valid": True,
        "name": np.concatenate([registry.name[who], names]),
        "area_code": np.concatenate([registry.village[who], villages]),
        "year": year,
        "flag": True,
    }
    dataset = side_list(
        registry, rows, blocks, checksum=CHECKSUM, year=year,
        file_name="令牌化参保名单（基准测试）.csv", key_id=KEY_ID,
    )  # fmt: skip
    return dataset.pk, registered


def _timed(dataset_id: int, pipe: Any) -> None:
    from jingzhun.comparison.linkage.tokens import link_tokens, registry_tokens

    dataset = Dataset.objects.get(pk=dataset_id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    registry = registry_tokens(KEY)
    tokens_seconds = time.perf_counter() - started
    linked = link_tokens(dataset, KEY, registry)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pipe.send(
        {
            "seconds": seconds,
            "registry_tokens_seconds": tokens_seconds,
            "links": linked,
            "peak_rss_mb": round(peak / 1024),
            "rss_before_mb": round(before / 1024),
        }
    )


def link(dataset_id: int, registered: int) -> dict[str, Any]:
    """`registry_tokens` + `link_tokens` timed in a forked child, then the links checked."""
    connections.close_all()  # the child opens its own connection
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_timed, args=(dataset_id, send))
    child.start()
    figures = receive.recv()
    child.join()
    with connection.cursor() as cursor:
        # The registered rows are the first `registered`: each must be linked to its own
        # person (the row carries that person's name and village), no stranger to anyone.
        cursor.execute(
            """SELECT COUNT(*), SUM(CASE WHEN r.row < %s THEN 1 ELSE 0 END),
                      SUM(CASE WHEN p.name = r.name AND h.village_id = r.area_code
                               THEN 1 ELSE 0 END)
               FROM comparison_rowlink l
               JOIN comparison_datasetrow r ON r.id = l.dataset_row_id
               JOIN registry_person p ON p.id = l.person_id
               JOIN registry_household h ON h.id = p.household_id
               WHERE r.dataset_id = %s AND l.method = 'token'""",
            [registered + 2, dataset_id],
        )
        links, own, right_person = (value or 0 for value in cursor.fetchone())
        # The links go again (the next --tokens run writes them anew): a confirmed link is read
        # by every comparison's snapshot scope, and this list is not one the rules compare.
        cursor.execute(
            "DELETE FROM comparison_rowlink WHERE dataset_row_id IN "
            "(SELECT id FROM comparison_datasetrow WHERE dataset_id = %s)",
            [dataset_id],
        )
    return {**figures, "registered_rows": registered, "links_of_registered_rows": own,
            "links_to_their_person": right_person, "links_of_strangers": links - own}  # fmt: skip
