"""core.locks: a named lock held until the transaction ends (PostgreSQL), so a rate limit's
count-then-insert runs one request at a time per client."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from jingzhun.core.locks import lock_name


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses():
    with pytest.raises(RuntimeError):
        lock_name("x")


@pytest.mark.django_db(transaction=True)
def test_a_second_connection_cannot_take_the_name_until_the_first_commits():
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's advisory lock; SQLite has one writer")
    held, release, seen = threading.Event(), threading.Event(), []

    def holder() -> None:
        with transaction.atomic():
            lock_name("public-objection:abc")
            held.set()
            release.wait(10)
        connections.close_all()

    def try_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", ["public-objection:abc"]
            )
            got = cursor.fetchone()[0]
            if got:
                cursor.execute(
                    "SELECT pg_advisory_unlock(hashtextextended(%s, 0))", ["public-objection:abc"]
                )
            return got

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    seen.append(try_lock())  # held by the other transaction
    release.set()
    thread.join(10)
    seen.append(try_lock())  # released at its commit
    assert seen == [False, True]
