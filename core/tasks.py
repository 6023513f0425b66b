"""Enqueueing django-q2 tasks once the caller's writes are in: one way for every service."""

from functools import cache

from django.core.cache import caches
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


PENDING_SECONDS = 2  # a mark outlives a lost task this long at most


def task_enqueue_unless_pending(func: str, *args, mark: str) -> None:
    """Once the transaction commits, have a worker run func(*args) unless a run of it is pending.

    `mark` in the shared cache says one is: it is read first (a burst writes nothing more), set
    with add, and cleared by the task with task_pending_clear as it starts, before it reads its
    work. Checked after the commit, so a task found pending reads this transaction's rows. The
    mark expires after PENDING_SECONDS, so a task lost after it was set holds nothing up long.
    """
    transaction.on_commit(lambda: _enqueue_unless_pending(func, args, mark), robust=True)


def _enqueue_unless_pending(func: str, args: tuple, mark: str) -> None:
    shared = caches["shared"]
    if shared.get(mark) is None and shared.add(mark, True, timeout=PENDING_SECONDS):
        task_enqueue(func, *args)


def tasks_waiting() -> bool:
    """Whether tasks wait in the broker for a worker to take them."""
    return _broker().queue_size() > 0


def task_pending_clear(mark: str) -> None:
    """A task starts reading its work: whatever is stored from now on enqueues a task again."""
    caches["shared"].delete(mark)
