"""Celery tasks of the organisation tree: thin wrappers over services."""

import logging

from celery import shared_task

from .integrity import check_orgtree

logger = logging.getLogger(__name__)


@shared_task
def check_orgtree_task() -> dict:
    """Nightly: report broken nested-set numbers (repair is an operator's decision: check_orgtree --fix)."""
    report = check_orgtree(fix=False)
    if not report.ok:
        logger.error("organisation tree invariants broken: %s", report.as_dict())
    return report.as_dict()
