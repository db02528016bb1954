"""How far a long job has got, for the page that polls it. Kept in the cache, which the web processes and
the workers share (Redis in production), and written at most every few hundred rows."""

from __future__ import annotations

from django.core.cache import cache

TIMEOUT = 60 * 60


def progress_key(kind: str, pk: int) -> str:
    return f"progress:{kind}:{pk}"


def progress_report(key: str, *, stage: str, done: int = 0, total: int = 0) -> None:
    cache.set(key, {"stage": stage, "done": done, "total": total}, TIMEOUT)


def progress_read(key: str) -> dict | None:
    return cache.get(key)


def progress_clear(key: str) -> None:
    cache.delete(key)
