"""Generation tokens for cached reads: a read caches its result under the token of what it depends on,
and a write that changes it renews the token (at once and again when its transaction commits), so the
next read computes afresh. A token lost with the cache (Redis restarted, down) only means a miss."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

# The columns of assignments the boards count (states, levels, counters, ancestors).
ASSIGNMENT_COUNTS = "assignment-counts"
# Which plans exist, their titles and years, and who received them.
PLANS = "plans"


def _key(name: str) -> str:
    return f"generation:{name}"


def current(name: str) -> str:
    """The token for `name` now (one cache read); a new one where the cache holds none."""
    token = cache.get(_key(name))
    if token is None:
        token = str(time.time_ns())
        if not cache.add(_key(name), token, None):
            token = cache.get(_key(name)) or token
    return token


def part(name: str, key) -> str:
    """The token of one part of what `name` covers (one province's assignments, say). Readers key on both
    `name` and the part: renewing `name` renews every part, renewing a part leaves the others cached."""
    return f"{name}:{key}"


def current_many(names: list[str]) -> dict[str, str]:
    """The tokens for `names` now, in one cache read where all exist."""
    found = cache.get_many([_key(name) for name in names])
    return {name: found.get(_key(name)) or current(name) for name in names}


def renew_parts(name: str, keys) -> None:
    """renew for the parts `keys` of `name` only."""
    names = [part(name, key) for key in set(keys) if key is not None]
    if not names:
        return

    def new_tokens() -> None:
        cache.set_many({_key(n): str(time.time_ns()) for n in names}, None)

    new_tokens()
    transaction.on_commit(new_tokens)


def renew(name: str) -> None:
    """What `name` covers changed: readers stop using what they cached under the old token — now, for
    this transaction's own reads, and again once it commits, for what others cached in between from
    the rows as they were before the commit."""

    def new_token() -> None:
        cache.set(_key(name), str(time.time_ns()), None)

    new_token()
    transaction.on_commit(new_token)
