"""Enqueueing django-q2 tasks once the caller's writes are in: one way for every service."""

from functools import cache

from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task


@cache
def _broker() -> Broker:
    """One broker per process: django-q2 makes a new one (a new Redis connection) per task."""
    return get_broker()


def task_enqueue(func: str, *args) -> None:
    """Have a worker run func(*args) once the current transaction commits (at once outside one).

    Where the database is the broker (the ORM broker), the task row joins the transaction: one
    write less, and the task is seen only with the rows it refers to. Otherwise it is sent after
    the commit; if the broker is unreachable then, the sweepers kick the work again later.
    """
    if Conf.ORM and not Conf.SYNC:
        with transaction.atomic(savepoint=False):
            async_task(func, *args, broker=_broker())
    else:
        transaction.on_commit(lambda: async_task(func, *args, broker=_broker()), robust=True)
