"""Set-based writing of generated rows (through core.bulk: COPY on PostgreSQL).

The generator hands over plain dicts keyed by attribute name (`household_id`); missing keys take
the model field's default, so a field added later with a default does not break the demo.
Primary keys are assigned by the generator (so children can point at parents without a round
trip); PostgreSQL sequences are reset afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from jingzhun.core import bulk


class BulkWriter:
    """Buffers rows per model and writes them in chunks; call `flush()` at the end."""

    def __init__(self, chunk_rows: int = 20_000) -> None:
        self.chunk_rows = chunk_rows
        self.buffered = 0
        self.written: dict[type[models.Model], int] = {}
        self._rows: dict[type[models.Model], list[tuple[Any, ...]]] = {}
        self._layout: dict[type[models.Model], tuple[list[str], list[str], list[Any]]] = {}
        self._now = connection.ops.adapt_datetimefield_value(timezone.now())
        self._next_ids: dict[type[models.Model], int] = {}

    def next_id(self, model: type[models.Model]) -> int:
        """A fresh primary key for `model`, above every key already in the table."""
        if model not in self._next_ids:
            self._next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self._next_ids[model]
        self._next_ids[model] = value + 1
        return value

    def _prepare(self, model: type[models.Model]) -> tuple[list[str], list[str], list[Any]]:
        if model not in self._layout:
            fields = [f for f in model._meta.concrete_fields]
            defaults = []
            for f in fields:
                auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                defaults.append(self._now if auto else f.get_default())
            self._layout[model] = (
                [f.attname for f in fields],
                [f.column for f in fields],
                defaults,
            )
        return self._layout[model]

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        names, _, defaults = self._prepare(model)
        self._rows.setdefault(model, []).append(
            tuple(row.get(n, d) for n, d in zip(names, defaults, strict=True))
        )
        self.buffered += 1
        if self.buffered >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered, parents before children (insertion order of models)."""
        for model, rows in self._rows.items():
            if rows:
                self._write(model, rows)
                self.written[model] = self.written.get(model, 0) + len(rows)
        self._rows = {model: [] for model in self._rows}
        self.buffered = 0

    def _write(self, model: type[models.Model], rows: list[tuple[Any, ...]]) -> None:
        _, columns, _ = self._prepare(model)
        bulk.write_rows(model, columns, rows)

    def finish(self) -> None:
        """Flush and move PostgreSQL sequences past the keys we assigned."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next_ids))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def refresh_statistics() -> None:
    """ANALYZE after a bulk load: without statistics PostgreSQL plans the 1 M-row list pages
    ten times slower (measured 1.8 s → 0.15 s p95), and SQLite picks worse indexes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
