"""kill -9 of the workers in the middle of concurrent batches to Jet SMS, which has no client id:
a new cluster finishes, and no number reaches the simulator twice.

Every provider request is recorded as in flight (a ProviderRequest row with the ids it carries) just
before it takes its send slot and goes out, and completed in the transaction that records the
answer. A worker that takes over a message whose lease ran out and finds such a
record cannot know whether the provider took the message: sending it again could deliver it
twice, so the message fails with category unknown (at most once). A provider that dedupes our
client id (JoSMS) gets it again instead (tests/faults/test_worker_crash.py). Messages claimed but
not yet in flight are sent by the new worker as usual.
"""

import os
import signal

import pytest

from bench.harness import descendants
from tests.faults.test_worker_crash import CRASH_SETTINGS

pytestmark = pytest.mark.slow

MESSAGES = 600
SETUP = """
from django.db import transaction
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure
from messaging.services import message_enqueue_batch
from tests.factories import message_batch_create

simulator_account_ensure(slug="jetsms", username="crash", password="Crash-s3cret-1",
                         sender_titles=["ACME"], balance=1_000_000)
connector_create(name="Jet SMS", provider="jetsms", username="crash", password="Crash-s3cret-1",
                 sender_list=["ACME"], options={{"base_url": "{url}/simulators/jetsms",
                                                "timeout_seconds": 4, "max_length": 612}})
made = message_batch_create(recipients=[(f"+90532{{n:07d}}", "Crash batch") for n in range({count})])
with transaction.atomic():
    for start in range(0, len(made), 200):  # batches like a campaign's chunks
        message_enqueue_batch(message_ids=[m.pk for m in made[start:start + 200]])
"""
SENT = "SELECT count(*) FROM messaging_message WHERE status = 'sent'"
UNFINISHED = "SELECT count(*) FROM messaging_message WHERE status IN ('queued', 'sending')"
IN_FLIGHT = (
    "SELECT carried.value FROM messaging_providerrequest, json_each(message_ids) AS carried"
    " WHERE in_flight"
)
SENT_AND_IN_FLIGHT = f"SELECT ({SENT}) >= 50 AND EXISTS ({IN_FLIGHT})"


def test_a_killed_worker_in_a_concurrent_batch_sends_no_number_twice(product_stack):
    stack = product_stack(
        SMSCONSOLE_WORKERS=1,
        SMSCONSOLE_SEND_CONCURRENCY=16,
        SMSCONSOLE_SIMULATOR_LATENCY_MS=300,
        **CRASH_SETTINGS,
    )
    stack.serve(threads=24)
    stack.shell(SETUP.format(url=stack.url, count=MESSAGES))

    cluster = stack.processes.qcluster()
    # Kill once messages went out and a request is in flight (on a loaded machine the worker can
    # take a while to start its next batch's request).
    assert stack.wait_until(SENT_AND_IN_FLIGHT, lambda ready: ready == 1, 120), stack.log_tail()
    for pid in [cluster.pid, *descendants(cluster.pid)]:  # the worker dies mid-batch, with all
        os.kill(pid, signal.SIGKILL)
    cluster.wait()
    in_flight = {message_id for (message_id,) in stack.rows(IN_FLIGHT)}
    sent_before = stack.value(SENT)
    stack.processes.qcluster()
    finished = stack.wait_until(UNFINISHED, lambda unfinished: unfinished == 0, 180)

    assert finished, stack.log_tail()
    assert in_flight, "requests were in flight when the worker was killed"
    assert sent_before < MESSAGES - len(in_flight), "the new worker had messages left to send"
    failed = stack.rows(
        "SELECT id, error_category FROM messaging_message WHERE status = 'failed' ORDER BY id"
    )
    assert {message_id for message_id, _ in failed} == in_flight
    assert {category for _, category in failed} == {"unknown"}
    assert stack.value(SENT) == MESSAGES - len(in_flight)
    received = dict(
        stack.rows("SELECT number, count(*) FROM simulators_receivedsms GROUP BY number")
    )
    assert [number for number, count in received.items() if count != 1] == []
    sent_numbers = {
        to.lstrip("+")
        for (to,) in stack.rows("SELECT \"to\" FROM messaging_message WHERE status = 'sent'")
    }
    assert sent_numbers <= set(received)
    assert stack.value("SELECT count(*) FROM messaging_providerrequest WHERE in_flight") == 0
