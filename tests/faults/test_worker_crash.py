"""kill -9 during sending: first one qcluster worker, then the whole cluster, while it sends to a
slow simulator over HTTP; a new cluster finishes the job. Every message ends sent (or failed),
and the simulator received each accepted message exactly once (NOTES: the ORM broker delivers at
least once; the lease lets another worker take a message whose worker died; JoSMS dedupes our
message id)."""

import os
import signal

import pytest

from bench.harness import descendants

# Short django-q2 and lease timings so a dead worker's message is taken over within seconds:
# provider timeout 4 s < task timeout 6 s < lease 8 s < broker retry 12 s.
CRASH_SETTINGS = {
    "SMSCONSOLE_TASK_TIMEOUT": 6,
    "SMSCONSOLE_DISPATCH_LEASE_SECONDS": 8,
    "SMSCONSOLE_TASK_RETRY": 12,
    "SMSCONSOLE_REKICK_SECONDS": 10,
    "SMSCONSOLE_RETRY_BACKOFF_SECONDS": 1,
}
IN_FLIGHT = 4  # requests each worker keeps in flight
SENT = "SELECT count(*) FROM messaging_message WHERE status = 'sent' AND text LIKE 'Crash%'"
UNFINISHED = (
    "SELECT count(*) FROM messaging_message WHERE status NOT IN ('sent', 'failed')"
    " AND text LIKE 'Crash%'"
)


@pytest.mark.parametrize(
    ("messages", "workers"),
    [
        pytest.param(40, 4, marks=pytest.mark.slow, id="40-messages"),
        pytest.param(1000, 8, marks=pytest.mark.soak, id="1000-messages"),
    ],
)
def test_killed_workers_lose_no_message_and_send_none_twice(product_stack, messages, workers):
    stack = product_stack(
        SMSCONSOLE_WORKERS=workers, SMSCONSOLE_SEND_CONCURRENCY=IN_FLIGHT, **CRASH_SETTINGS
    )
    # The simulator answers every request in flight at once, slowly (under its 4 s timeout).
    stack.serve(threads=workers * IN_FLIGHT + 2)
    stack.seed_josms(messages, slow=True)

    cluster = stack.processes.qcluster()
    assert stack.wait_until(SENT, lambda sent: sent >= messages // 5, 120), stack.log_tail()
    sending = stack.value("SELECT count(*) FROM messaging_message WHERE status = 'sending'")
    os.kill(stack.cluster_workers(cluster.pid)[0], signal.SIGKILL)
    assert sending, "the worker was killed while messages were being sent"
    assert stack.wait_until(SENT, lambda sent: sent >= messages // 2, 180), stack.log_tail()
    for pid in [cluster.pid, *descendants(cluster.pid)]:  # the whole cluster dies at once
        os.kill(pid, signal.SIGKILL)
    cluster.wait()
    stack.processes.qcluster()
    finished = stack.wait_until(UNFINISHED, lambda unfinished: unfinished == 0, 60 + messages)

    assert finished, stack.log_tail()
    statuses = dict(stack.rows("SELECT status, count(*) FROM messaging_message GROUP BY status"))
    assert statuses == {"sent": messages + 1}, stack.log_tail()  # + the warm-up message
    received = stack.rows(
        "SELECT client_id, count(*) FROM simulators_receivedsms GROUP BY client_id"
    )
    sent_ids = {str(i) for (i,) in stack.rows("SELECT id FROM messaging_message")}
    assert {client_id for client_id, _ in received} == sent_ids
    assert [client_id for client_id, count in received if count != 1] == []
