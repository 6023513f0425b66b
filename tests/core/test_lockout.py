"""Sign-in lock-out: a user name from one address at 5 failures, and a user name on its own (from
every address together) at a higher number."""

import pytest

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # UserFactory's password


def _sign_in(client, username: str, password: str, address: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_from_many_addresses(client, username: str, failures: int) -> list[int]:
    """Failures spread over addresses, four each: no single address reaches its own limit."""
    return [
        _sign_in(client, username, "wrong", f"10.0.{n // 4}.1").status_code for n in range(failures)
    ]


def test_the_user_name_locks_after_the_higher_limit_from_many_addresses(client, user, settings):
    limit = settings.SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT
    answers = _fail_from_many_addresses(client, user.username, limit)
    locked = _sign_in(client, user.username, PASSWORD, "192.0.2.99")
    assert answers == [200] * (limit - 1) + [429]
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_failure_short_of_the_user_name_limit_still_signs_in(client, user, settings):
    limit = settings.SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT
    assert set(_fail_from_many_addresses(client, user.username, limit - 1)) == {200}
    assert _sign_in(client, user.username, PASSWORD, "192.0.2.99").status_code == 302


def test_the_user_name_limit_is_a_setting_and_spares_other_users(client, user, settings):
    settings.SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT = 8
    _fail_from_many_addresses(client, "someone-else", 8)
    assert _sign_in(client, "someone-else", "wrong", "192.0.2.99").status_code == 429
    assert _sign_in(client, user.username, PASSWORD, "192.0.2.99").status_code == 302


def test_the_pair_limit_still_locks_one_address_first(client, user):
    for _ in range(5):
        _sign_in(client, user.username, "wrong", "10.9.9.9")
    assert _sign_in(client, user.username, PASSWORD, "10.9.9.9").status_code == 429
    assert _sign_in(client, user.username, PASSWORD, "10.9.9.10").status_code == 302
