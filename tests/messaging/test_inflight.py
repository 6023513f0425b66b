"""Requests in flight, counted at the simulator: a real gunicorn serves the Jet SMS simulator
(which answers after a set latency) and a real process sends with a pool of threads
(SMSCONSOLE_SEND_CONCURRENCY) on a SQLite file, as a worker does."""

import contextlib
import shutil
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from bench.harness import manage, product_env
from tests.faults.stack import ProductStack

pytestmark = pytest.mark.slow

SETUP = """
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure
from messaging.services import message_create
from tests.factories import message_batch_create

simulator_account_ensure(slug="jetsms", username="flight", password="Flight-s3cret-1",
                         sender_titles=["ACME"], balance=100_000)
connector_create(name="Jet SMS", provider="jetsms", username="flight", password="Flight-s3cret-1",
                 sender_list=["ACME"], max_in_flight={max_in_flight},
                 options={{"base_url": "{url}/simulators/jetsms", "timeout_seconds": 5,
                          "max_length": 612, **{options}}})
if {singles}:  # each enqueues its own kick (no worker runs here to take it)
    for n in range({count}):
        message_create(to=f"+90532{{n:07d}}", text=f"In flight {{n}}")
else:
    message_batch_create(
        recipients=[(f"+90532{{n:07d}}", f"In flight {{n}}") for n in range({count})]
    )
"""
KICK = """
from messaging.models import Message
from messaging.services import message_dispatch
message_dispatch(message_id=Message.objects.order_by("id").first().pk)
"""
SEND = """
from messaging.models import Message
from messaging.services import message_dispatch_batch
print(message_dispatch_batch(message_ids=list(Message.objects.values_list("id", flat=True))))
"""
RECEIVED = "SELECT received_at FROM simulators_receivedsms ORDER BY received_at"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    database = tmp_path_factory.mktemp("inflight") / "template.sqlite3"
    manage(product_env(f"sqlite:///{database}"), "migrate", "--noinput", "-v", "0")
    return database


@pytest.fixture
def stack(template, tmp_path):
    """stack(**env) → gunicorn serving the simulators on a copy of the migrated database."""
    made: list[ProductStack] = []

    def make(**settings) -> ProductStack:
        database = tmp_path / "product.sqlite3"
        shutil.copyfile(template, database)
        made.append(ProductStack(database, tmp_path, **settings))
        made[-1].serve(threads=24)  # the simulator answers many requests at once
        _warm_up(made[-1])
        return made[-1]

    yield make
    for product in made:
        product.processes.stop_all()


def _warm_up(product: ProductStack) -> None:
    """Have every web thread load the URLs and views once, so the first requests of a test are
    not held up by imports (that would bunch their arrivals)."""
    url = f"{product.url}/simulators/jetsms/"

    def get(_n: int) -> None:
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(url, timeout=10).read()

    with ThreadPoolExecutor(48) as pool:
        list(pool.map(get, range(96)))


def _times(product: ProductStack) -> list[datetime]:
    return [datetime.fromisoformat(value) for (value,) in product.rows(RECEIVED)]


def most_in_flight(starts: list[datetime], latency: timedelta) -> int:
    """The most requests the simulator held at once: each is held from its arrival until its
    answer leaves, `latency` later (a worker's next request on that place starts after it)."""
    return max(sum(1 for other in starts if start <= other < start + latency) for start in starts)


def busiest_second(starts: list[datetime]) -> int:
    """The most requests the simulator received within any one-second window."""
    return max(
        sum(1 for other in starts if start <= other < start + timedelta(seconds=1))
        for start in starts
    )


def _setup(
    product: ProductStack, count: int, *, max_in_flight: int, options: str = "{}", singles=False
) -> None:
    product.shell(
        SETUP.format(
            url=product.url,
            count=count,
            max_in_flight=max_in_flight,
            options=options,
            singles=singles,
        )
    )


def _statuses(product: ProductStack) -> list[tuple[str, int]]:
    return product.rows("SELECT status, count(*) FROM messaging_message GROUP BY status")


def _send(product: ProductStack, count: int, *, max_in_flight: int, options: str = "{}") -> None:
    _setup(product, count, max_in_flight=max_in_flight, options=options)
    product.shell(SEND)
    assert _statuses(product) == [("sent", count)], product.log_tail()


def test_a_connectors_max_in_flight_bounds_the_requests_a_worker_keeps_open(stack):
    product = stack(
        SMSCONSOLE_SEND_CONCURRENCY=16,
        SMSCONSOLE_SIMULATOR_LATENCY_MS=400,
        SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT=0,
    )
    _send(product, 12, max_in_flight=3)
    starts = _times(product)
    assert len(starts) == 12
    assert most_in_flight(starts, timedelta(milliseconds=400)) == 3


def test_the_send_concurrency_bounds_the_requests_of_a_generous_connector(stack):
    product = stack(
        SMSCONSOLE_SEND_CONCURRENCY=4,
        SMSCONSOLE_SIMULATOR_LATENCY_MS=400,
        SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT=0,
    )
    _send(product, 12, max_in_flight=50)
    assert most_in_flight(_times(product), timedelta(milliseconds=400)) == 4


def test_max_per_second_still_holds_with_many_requests_in_flight(stack):
    product = stack(SMSCONSOLE_SEND_CONCURRENCY=16, SMSCONSOLE_SIMULATOR_LATENCY_MS=50)
    _send(product, 12, max_in_flight=16, options='{"max_per_second": 5}')
    starts = _times(product)
    assert busiest_second(starts) <= 5
    assert (starts[-1] - starts[0]).total_seconds() >= 11 / 5  # the limiter spaced them


@pytest.mark.parametrize(
    ("concurrency", "count", "max_in_flight", "most"),
    [
        (8, 8, 16, 8),  # the other due messages go out with the task's own, at once
        (4, 20, 16, 4),  # each place a request frees takes the next due message
        (8, 9, 3, 3),  # the connector's max_in_flight bounds them
    ],
    ids=["all-at-once", "places-refilled", "connector-bound"],
)
def test_one_send_task_sends_every_due_single_message_keeping_its_places_filled(
    stack, concurrency, count, max_in_flight, most
):
    product = stack(
        SMSCONSOLE_SEND_CONCURRENCY=concurrency,
        SMSCONSOLE_SIMULATOR_LATENCY_MS=400,
        SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT=0,
    )
    _setup(product, count, max_in_flight=max_in_flight, singles=True)
    product.shell(KICK)
    assert _statuses(product) == [("sent", count)]
    starts = _times(product)
    assert len(starts) == count
    assert most_in_flight(starts, timedelta(milliseconds=400)) == most


def test_a_single_messages_task_leaves_the_messages_of_a_batch_to_their_batch(stack):
    product = stack(SMSCONSOLE_SEND_CONCURRENCY=8, SMSCONSOLE_SIMULATOR_LATENCY_MS=50)
    _setup(product, 6, max_in_flight=8)  # a campaign chunk's messages, its batch task to come
    product.shell(
        "from messaging.services import message_create, message_dispatch\n"
        "message_dispatch(message_id=message_create(to='+905329999999', text='Kod 1').pk)\n"
    )
    assert _statuses(product) == [("queued", 6), ("sent", 1)]


def test_a_burst_of_single_messages_needs_one_send_task_and_the_next_message_kicks_again(stack):
    product = stack(SMSCONSOLE_SEND_CONCURRENCY=8, SMSCONSOLE_SIMULATOR_LATENCY_MS=50)
    _setup(product, 5, max_in_flight=8, singles=True)
    kicks = "SELECT count(*) FROM django_q_ormq"
    assert product.rows(kicks) == [(1,)]  # the first message's; the others found it pending

    product.shell(KICK)  # the worker takes that task up: every message due goes out
    assert _statuses(product) == [("sent", 5)]

    product.shell(
        "from messaging.services import message_create\n"
        "message_create(to='+905329999999', text='Son')\n"
    )
    assert product.rows(kicks) == [(2,)]
