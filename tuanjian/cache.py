"""Django's Redis cache, for a Redis that may be down or hung: a page pays at most one timeout
(settings.REDIS_TIMEOUT) and then skips the cache for a while, reading misses and dropping writes. The
cache only holds what can be computed again (the states' day, throttles, job progress)."""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import exceptions as redis_errors

from core.outage import Breaker

logger = logging.getLogger(__name__)

FAILURES = (redis_errors.ConnectionError, redis_errors.TimeoutError)
BREAKER = Breaker(cooldown=30)  # per process


def _resilient(name: str, fallback):
    method = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        if BREAKER.open:
            return fallback(*args)
        try:
            return method(self, *args, **kwargs)
        except FAILURES as exc:
            BREAKER.trip()
            logger.warning("cache unavailable, skipped for %ss: %s", BREAKER.cooldown, exc)
            return fallback(*args)

    return call


class ResilientRedisCacheClient(RedisCacheClient):
    add = _resilient("add", lambda *a: False)
    get = _resilient("get", lambda key, default: default)
    set = _resilient("set", lambda *a: None)
    touch = _resilient("touch", lambda *a: False)
    delete = _resilient("delete", lambda *a: False)
    get_many = _resilient("get_many", lambda *a: {})
    has_key = _resilient("has_key", lambda *a: False)
    set_many = _resilient("set_many", lambda data, timeout: list(data))  # the keys not stored
    delete_many = _resilient("delete_many", lambda *a: None)
    clear = _resilient("clear", lambda *a: False)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
