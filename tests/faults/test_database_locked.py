"""The SQLite file locked by another connection during dispatch (a backup, a long admin query):
no message is lost and none is sent twice. Within the busy timeout (5 s) writers wait; beyond it
their writes fail, and leases, broker redelivery and JoSMS's duplicate-id check recover."""

import sqlite3
import threading
import time

import pytest

FINISHED = "SELECT count(*) FROM messaging_message WHERE status IN ('sent', 'failed')"
SENT = "SELECT count(*) FROM messaging_message WHERE status = 'sent'"
RECOVERY_SETTINGS = {
    "SMSCONSOLE_TASK_TIMEOUT": 6,
    "SMSCONSOLE_DISPATCH_LEASE_SECONDS": 8,
    "SMSCONSOLE_TASK_RETRY": 12,
    "SMSCONSOLE_REKICK_SECONDS": 10,
    "SMSCONSOLE_RETRY_BACKOFF_SECONDS": 1,
}
# Slow enough that the lock comes while most messages are unsent, however fast this machine sends:
# 2 workers × 2 requests in flight, answered after 200 ms, is about 20 messages a second.
PACE = {"SMSCONSOLE_SIMULATOR_LATENCY_MS": 200, "SMSCONSOLE_SEND_CONCURRENCY": 2}


def _hold_exclusive_lock(database, seconds: float, held: threading.Event) -> None:
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("messages", "lock_seconds"),
    [
        pytest.param(120, 3, marks=pytest.mark.slow, id="3s-within-busy-timeout"),
        pytest.param(300, 12, marks=pytest.mark.soak, id="12s-beyond-busy-timeout"),
    ],
)
def test_database_locked_during_dispatch_loses_no_message(product_stack, messages, lock_seconds):
    stack = product_stack(**RECOVERY_SETTINGS, **PACE)
    stack.serve()
    stack.seed_josms(messages)
    stack.processes.qcluster()
    assert stack.wait_until(SENT, lambda sent: sent >= messages // 4, 120), stack.log_tail()

    held = threading.Event()
    locker = threading.Thread(
        target=_hold_exclusive_lock, args=(stack.database, lock_seconds, held)
    )
    locker.start()
    assert held.wait(30), "the lock was taken"
    sent_while_locked = stack.value(SENT)
    locker.join()
    finished = stack.wait_until(FINISHED, lambda done: done == messages + 1, 60 + messages)

    assert finished, stack.log_tail()
    assert sent_while_locked < messages, "the lock was held while messages were still unsent"
    statuses = dict(stack.rows("SELECT status, count(*) FROM messaging_message GROUP BY status"))
    assert statuses == {"sent": messages + 1}, stack.log_tail()
    received = stack.rows("SELECT client_id, count(*) FROM simulators_receivedsms GROUP BY 1")
    assert len(received) == messages + 1
    assert [client_id for client_id, count in received if count != 1] == []
