"""Simulator state changes: charging, order ids, modes."""

import pytest
from django.core.exceptions import ValidationError

from connectors.simulators.models import FailureMode, ReceivedSms
from connectors.simulators.services import (
    simulated_provider_set_mode,
    simulator_account_ensure,
    simulator_sms_receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account, _ = simulator_account_ensure(
        slug="josms", username="a", password="p", sender_titles=["X"], balance=3
    )
    return account


def test_receive_charges_a_credit_per_number_and_shares_one_order_id(account):
    order_id = simulator_sms_receive(account=account, sender="X", messages=[("1", "t"), ("2", "t")])

    account.refresh_from_db()
    assert account.balance == 1
    assert set(ReceivedSms.objects.values_list("order_id", flat=True)) == {order_id}


def test_receive_without_enough_balance_stores_nothing(account):
    assert simulator_sms_receive(account=account, sender="X", messages=[("1", "t")] * 4) is None
    assert not ReceivedSms.objects.exists()


def test_receive_in_no_balance_mode_stores_nothing(account):
    simulated_provider_set_mode(provider=account.provider, failure_mode=FailureMode.NO_BALANCE)

    assert simulator_sms_receive(account=account, sender="X", messages=[("1", "t")]) is None


def test_account_ensure_is_idempotent(account):
    again, created = simulator_account_ensure(
        slug="josms", username="a", password="other", sender_titles=["Y"]
    )

    assert (again.pk, created, again.password) == (account.pk, False, "p")


BAD_MODES = [
    pytest.param({"failure_mode": "broken"}, "failure_mode", id="unknown mode"),
    pytest.param({"failure_mode": "slow", "slow_seconds": 0}, "slow_seconds", id="zero seconds"),
    pytest.param(
        {"failure_mode": "fixed_answer", "fixed_status": 99, "fixed_body": "x"},
        "fixed_status",
        id="status 99",
    ),
]


@pytest.mark.parametrize(("values", "field"), BAD_MODES)
def test_set_mode_refuses_bad_values(account, values, field):
    with pytest.raises(ValidationError) as caught:
        simulated_provider_set_mode(provider=account.provider, **values)

    assert field in caught.value.message_dict
