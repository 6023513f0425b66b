"""The Simulators console page: see accounts and received messages, change modes and balances."""

import pytest

from connectors.simulators.models import FailureMode, ReceivedSms, SimulatedProvider
from connectors.simulators.services import simulator_account_ensure, simulator_sms_receive


@pytest.fixture
def account(db):
    account, _ = simulator_account_ensure(
        slug="jetsms", username="demo", password="S1mulator-Secret", sender_titles=["ACME"]
    )
    return account


def test_page_needs_login(client, account):
    assert client.get("/simulators/").status_code == 302


def test_page_shows_accounts_and_received_messages(console, account):
    simulator_sms_receive(
        account=account, sender="ACME", messages=[("905321234567", "Merhaba dünya")]
    )

    page = console.get("/simulators/").content.decode()

    assert "Jet SMS" in page
    assert "demo" in page
    assert "Merhaba dünya" in page
    assert "S1mulator-Secret" not in page


MODE_CHANGES = [
    pytest.param(
        {"failure_mode": "slow", "fixed_body": ""},
        (FailureMode.SLOW, 3),
        "Jet SMS simulator: Slow",
        id="slow answers",
    ),
    pytest.param(
        {"failure_mode": "fixed_answer", "fixed_body": ""},
        (FailureMode.NONE, 15),
        "Give the body the simulator should answer with.",
        id="fixed answer needs a body",
    ),
]


@pytest.mark.parametrize(("form", "stored", "message"), MODE_CHANGES)
def test_mode_change(console, account, form, stored, message):
    data = {"slow_seconds": "3", "fixed_status": "200", **form}

    response = console.post(
        "/simulators/jetsms/mode/",
        {f"jetsms-{key}": value for key, value in data.items()},
        follow=True,
    )

    provider = SimulatedProvider.objects.get(slug="jetsms")
    assert response.redirect_chain == [("/simulators/", 302)]
    assert (provider.failure_mode, provider.slow_seconds) == stored
    assert message in response.content.decode()


ACCOUNT_CHANGES = [
    pytest.param(
        {"balance": "0", "sender_titles": "ACME, NEW"}, 0, ["ACME", "NEW"], "", id="saved"
    ),
    pytest.param(
        {"balance": "-1", "sender_titles": "ACME"},
        1000,
        ["ACME"],
        "not changed",
        id="negative balance",
    ),
    pytest.param(
        {"balance": "5", "sender_titles": " , "}, 1000, ["ACME"], "not changed", id="no title"
    ),
]


@pytest.mark.parametrize(("form", "balance", "titles", "message"), ACCOUNT_CHANGES)
def test_account_change(console, account, form, balance, titles, message):
    data = {f"account{account.pk}-{key}": value for key, value in form.items()}

    response = console.post(f"/simulators/accounts/{account.pk}/", data, follow=True)

    account.refresh_from_db()
    assert (account.balance, account.sender_titles) == (balance, titles)
    assert message in response.content.decode()


def test_clear_received(console, account):
    simulator_sms_receive(account=account, sender="ACME", messages=[("905321234567", "x")])

    console.post("/simulators/jetsms/clear/")

    assert not ReceivedSms.objects.exists()


@pytest.fixture
def smsc_account(db):
    account, _ = simulator_account_ensure(
        slug="smsc", username="acme-smpp", password="pw123456", sender_titles=["ACME"]
    )
    return account


def test_smsc_card_speaks_smpp(console, smsc_account, settings):
    settings.SMSCONSOLE_SMPP_SIMULATOR_PORT = 2799

    page = console.get("/simulators/").content.decode()

    assert "smpp://127.0.0.1:2799" in page
    assert "Drop every connection (SMSC down)" in page
    assert "Fixed command status" in page
    assert 'name="smsc-fixed_status"' not in page


def test_drop_mode_is_offered_to_the_smsc_only(console, smsc_account, account):
    page = console.get("/simulators/").content.decode()
    jetsms_card = page.split('id="simulator-jetsms"')[1].split("</section>")[0]

    assert 'value="drop"' not in jetsms_card


@pytest.mark.parametrize(
    ("body", "saved"),
    [
        pytest.param("ESME_RTHROTTLED", True, id="status name"),
        pytest.param("0x14", True, id="status number"),
        pytest.param("throttle please", False, id="not a command status"),
    ],
)
def test_smsc_fixed_answer_takes_a_command_status(console, smsc_account, body, saved):
    console.post(
        "/simulators/smsc/mode/",
        {"smsc-failure_mode": "fixed_answer", "smsc-slow_seconds": "15", "smsc-fixed_body": body},
    )

    provider = SimulatedProvider.objects.get(slug="smsc")
    assert (provider.failure_mode == FailureMode.FIXED_ANSWER) is saved
