"""Transaction-scoped PostgreSQL advisory locks under named keys.

Each key serialises one kind of writer across processes and workers; SQLite (the embedded mode)
serialises writers with its database lock, so there the call only checks that a transaction is open.
"""

from __future__ import annotations

from enum import IntEnum

from django.db import connection


class LockKey(IntEnum):
    ORGTREE = 73_012_260  # every structural write to the organisation tree
    STATUS_REFRESH = 73_012_261  # the status engine's refresh
    REMINDERS = 73_012_262  # the daily reminder scan


def advisory_lock(key: LockKey) -> None:
    """Hold `key` until the current transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"advisory_lock({key.name}) must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key)])
