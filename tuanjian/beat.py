"""Celery beat with a heartbeat: a scheduler that touches settings.BEAT_HEARTBEAT_FILE on every tick."""

import logging

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)


def beat_heartbeat() -> None:
    try:
        settings.BEAT_HEARTBEAT_FILE.touch()
    except OSError:  # a heartbeat that cannot be written shows as beat down; beat itself goes on
        logger.exception("beat heartbeat %s could not be written", settings.BEAT_HEARTBEAT_FILE)


class HeartbeatScheduler(PersistentScheduler):
    """Beat wakes at least every beat_max_loop_interval (60 s in settings) to tick; each tick touches the
    heartbeat, so a stale file means beat stopped or hangs, whatever its process looks like."""

    def setup_schedule(self):
        super().setup_schedule()
        beat_heartbeat()

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        beat_heartbeat()
        return interval
