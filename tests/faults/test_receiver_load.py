"""/SMSReceiver under concurrent load, served by gunicorn on a SQLite file as deployed: every
message stored, none twice, also when a provider retries a message while the first request runs."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.slow

RECEIVER = "4912312300"
PARALLEL = 200
SETUP = f"""
from inbox.services import receive_connector_create
print(receive_connector_create(name="load", receiver_numbers=["{RECEIVER}"]).token)
"""


@pytest.fixture(scope="module")
def receiver(migrated_database, tmp_path_factory):
    """(URL of /SMSReceiver, token, stack): one server for the module's tests."""
    from tests.faults.conftest import ProductStack

    workdir = tmp_path_factory.mktemp("receiver")
    database = workdir / "receiver.sqlite3"
    database.write_bytes(migrated_database.read_bytes())
    stack = ProductStack(database, workdir)
    token = stack.shell(SETUP).strip().splitlines()[-1]
    stack.serve(threads=16)
    yield f"{stack.url}/SMSReceiver", token, stack
    stack.processes.stop_all()


def _post_all(url: str, forms: list[dict]) -> list[int]:
    def post(form: dict) -> int:
        return requests.post(url, data=form, timeout=60).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(post, forms))


def _stored(stack, prefix: str) -> list[str]:
    rows = stack.rows("SELECT text FROM inbox_inboundmessage WHERE text LIKE ?", (f"{prefix}%",))
    return sorted(text for (text,) in rows)


def test_200_parallel_posts_are_all_stored_once(receiver):
    url, token, stack = receiver
    forms = [
        {"receiver": RECEIVER, "sender": f"90532{n:07d}", "message": f"Merhaba {n}", "token": token}
        for n in range(PARALLEL)
    ]

    statuses = _post_all(url, forms)

    assert statuses == [200] * PARALLEL, stack.log_tail()
    assert _stored(stack, "Merhaba ") == sorted(form["message"] for form in forms)


def test_provider_retries_racing_the_first_request_are_stored_once(receiver):
    """Each of 100 messages posted twice at the same moment (a provider retrying on a timeout)."""
    url, token, stack = receiver
    forms = [
        {"receiver": RECEIVER, "sender": f"90533{n:07d}", "message": f"Tekrar {n}", "token": token}
        for n in range(PARALLEL // 2)
    ]

    statuses = _post_all(url, [form for form in forms for _ in range(2)])

    assert statuses == [200] * PARALLEL, stack.log_tail()
    assert _stored(stack, "Tekrar ") == sorted(form["message"] for form in forms)
