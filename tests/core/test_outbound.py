"""The outbound HTTP policy: which URLs the console may call, checked again when connecting."""

import pytest
import requests

from core.outbound import AddressNotAllowed, OutboundSession, url_allowed_error

CONSOLE_PORT = 8000  # where `make run` serves the console

REFUSED = [
    pytest.param("https://10.0.0.1/", "private", id="private"),
    pytest.param("https://169.254.169.254/latest/meta-data/", "link-local", id="metadata"),
    pytest.param("https://[::1]/", "loopback", id="ipv6-loopback"),
    pytest.param("https://127.1/", "loopback", id="short-loopback"),
    pytest.param("https://0.0.0.0/", "unspecified", id="unspecified"),
    pytest.param("https://2130706433/", "loopback", id="decimal"),
    pytest.param("https://0x7f000001/", "loopback", id="hex"),
    pytest.param("https://[::ffff:10.0.0.1]/", "private", id="ipv4-mapped"),
    pytest.param("https://224.0.0.1/", "multicast", id="multicast"),
    pytest.param("https://240.0.0.1/", "reserved", id="reserved"),
    pytest.param(f"https://localhost:{CONSOLE_PORT}/admin/", "this machine", id="localhost"),
    pytest.param(f"http://localhost:{CONSOLE_PORT}/admin/", "Use an https:// URL", id="http"),
    pytest.param("http://example.com/", "Use an https:// URL", id="http-public"),
    pytest.param("https://user:pw@example.com/", "user name or password", id="credentials"),
    pytest.param("file:///etc/passwd", "https://", id="file"),
]


@pytest.mark.parametrize(("url", "says"), REFUSED)
def test_url_to_a_non_public_place_is_refused(settings, url, says):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []

    assert says in url_allowed_error(url)


@pytest.mark.parametrize(
    "url",
    ["https://api.example.com/sms", "https://93.184.216.34/", "https://[2606:4700::1111]/"],
)
def test_url_to_a_public_host_is_allowed(settings, url):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []

    assert url_allowed_error(url) == ""


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ("localhost", f"http://localhost:{CONSOLE_PORT}/"),
        ("10.0.0.1", "http://10.0.0.1/"),
        ("::1", "https://[::1]/"),
        ("sms-gateway.internal", "https://SMS-Gateway.internal/"),
    ],
)
def test_allowlisted_host_may_be_private_and_plain_http(settings, allowed, url):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = [allowed]

    assert url_allowed_error(url) == ""


def test_a_name_that_resolves_inside_is_refused_when_connecting(settings, resolve, endpoint):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []
    resolve("crm.example.com", "10.0.0.5")

    with pytest.raises(AddressNotAllowed, match=r"10\.0\.0\.5, a private address"):
        OutboundSession().post("https://crm.example.com/hook", json={}, timeout=2)


def test_a_name_that_changes_between_lookups_is_refused_at_the_connected_address(
    settings, resolve, endpoint
):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []
    port = endpoint.server_address[1]
    # DNS rebinding: public when checked, this machine when connecting.
    resolve("rebind.example.com", "93.184.216.34", "127.0.0.1")

    with pytest.raises(AddressNotAllowed, match=r"127\.0\.0\.1, a loopback address"):
        OutboundSession().post(f"http://rebind.example.com:{port}/hook", json={}, timeout=2)
    assert endpoint.received == []


def test_an_allowlisted_host_is_reached(settings, endpoint):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["127.0.0.1"]

    answer = OutboundSession().post(endpoint.url, json={"n": 1}, timeout=2)

    assert answer.status_code == 200
    assert endpoint.received == [("application/json", {"n": 1})]


def test_redirects_are_not_followed(settings, endpoint):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["127.0.0.1"]
    endpoint.statuses = [302]

    answer = OutboundSession().post(endpoint.url, json={}, timeout=2, allow_redirects=True)

    assert answer.status_code == 302
    assert len(endpoint.received) == 1


def test_no_proxy_is_taken_from_the_environment(settings, monkeypatch, endpoint):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["127.0.0.1"]
    proxy = f"http://127.0.0.1:{endpoint.server_address[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with pytest.raises(requests.ConnectionError):
        OutboundSession().post("http://127.0.0.1:9/hook", json={}, timeout=2)
    assert endpoint.received == []  # the "proxy" was never asked


def test_a_request_without_a_timeout_is_not_sent(settings, endpoint):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["127.0.0.1"]

    with pytest.raises(ValueError, match="timeout"):
        OutboundSession().post(endpoint.url, json={})
    assert endpoint.received == []
