"""Short-circuiting a service that just failed, so that an outage costs one timeout, not one per call."""

from __future__ import annotations

import time


class Breaker:
    """After a failure, callers skip the service for `cooldown` seconds (per process) instead of waiting
    on its timeouts again; the first call after that tries it once more."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self._until = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._until

    def trip(self) -> None:
        self._until = time.monotonic() + self.cooldown

    def reset(self) -> None:
        self._until = 0.0
