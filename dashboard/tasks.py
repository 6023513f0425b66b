"""django-q2 tasks: one-line wrappers around services."""

from dashboard.services import stats_rollup


def stats_rollup_task() -> None:
    stats_rollup()
