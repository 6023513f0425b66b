"""Where the console may send HTTP requests, and how: one policy for providers and forwarding.

- Plain http only to the hosts in SMSCONSOLE_PROVIDER_HTTP_HOSTS (the simulators in development);
  https everywhere else.
- No private, loopback, link-local, multicast, unspecified or reserved address unless the host is
  on that list: checked on the URL when it is entered (also spellings such as "127.1", "0x7f.1" or
  "2130706433", which resolvers read as addresses) and on every address a name resolves to when a
  connection opens, and on the address actually connected to (so DNS rebinding does not help).
- No redirects, no proxies from the environment, no request without a timeout. Callers bound what
  they read (the forwarder and status callbacks read no answer at all: outbound_post).
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError
from urllib3.util.connection import allowed_gai_family

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWLIST_SETTING = "SMSCONSOLE_PROVIDER_HTTP_HOSTS"
# IPv6 prefix a NAT64 gateway translates to the IPv4 address in its last 32 bits (RFC 6052).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# What an address is, most telling first (Python counts 169.254.0.0/16 and 240.0.0.0/4 as private).
_ADDRESS_KINDS = (
    ("is_loopback", "a loopback address (this machine)"),
    ("is_unspecified", "the unspecified address (this machine)"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
)


class AddressNotAllowed(requests.ConnectionError):
    """A connection refused by the policy: the host resolved to an address that is not public."""


class _Refused(Exception):
    # Not an OSError, so urllib3 lets it through unwrapped; the adapter turns it into
    # AddressNotAllowed, which callers catch as the ConnectionError it is.
    pass


def _allowlist() -> set[str]:
    return {host.strip("[]").rstrip(".").lower() for host in getattr(settings, ALLOWLIST_SETTING)}


def host_is_allowlisted(host: str) -> bool:
    """Whether the host is on the allowlist: plain http and any address are allowed to it."""
    return host.strip("[]").rstrip(".").lower() in _allowlist()


def address_problem(address: Address) -> str:
    """What makes the address unfit for an outbound request ("a private address"), or ""."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_problem(embedded)
    for attribute, kind in _ADDRESS_KINDS:
        if getattr(address, attribute):
            return kind
    return "" if address.is_global else "not a public address"


def _spelled_address(host: str) -> Address | None:
    """The address a host name spells, in the forms resolvers read as one ("127.1", "0x7f.1")."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _host_problem(host: str) -> str:
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "a name for this machine"
    address = _spelled_address(name)
    return address_problem(address) if address is not None else ""


def _allowlist_text() -> str:
    return ", ".join(getattr(settings, ALLOWLIST_SETTING)) or "none"


def url_allowed_error(url: str) -> str:
    """Why the console may not send requests to this URL, or "" when it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return "The URL is not valid: check the host and the port (a number from 1 to 65535)."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter a full https:// URL, e.g. https://api.example.com/."
    if parts.username or parts.password:
        return "The URL must not carry a user name or password."
    if host_is_allowlisted(parts.hostname):
        return ""
    if parts.scheme == "http":
        return (
            f"Use an https:// URL. Plain http is only allowed to the hosts in "
            f"{ALLOWLIST_SETTING} ({_allowlist_text()})."
        )
    if problem := _host_problem(parts.hostname):
        return (
            f"{parts.hostname} is {problem}. The console only calls public addresses, except "
            f"the hosts in {ALLOWLIST_SETTING} ({_allowlist_text()})."
        )
    return ""


def _refusal(host: str, address: str, problem: str) -> _Refused:
    return _Refused(
        f"{host} resolves to {address}, {problem}. The console only connects to public "
        f"addresses, except the hosts in {ALLOWLIST_SETTING}."
    )


class _PolicyConnection:
    """Opens a connection only to public addresses, unless the host is on the allowlist."""

    def _new_conn(self) -> socket.socket:
        if host_is_allowlisted(self.host):
            return super()._new_conn()
        # Check every address the name resolves to before connecting anywhere...
        try:
            found = socket.getaddrinfo(
                self.host, self.port, allowed_gai_family(), socket.SOCK_STREAM
            )
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        for *_, sockaddr in found:
            if problem := address_problem(ipaddress.ip_address(sockaddr[0].split("%")[0])):
                raise _refusal(self.host, sockaddr[0], problem)
        sock = super()._new_conn()
        # ...and the address connected to, since the name is resolved again (DNS rebinding).
        peer = sock.getpeername()[0]
        if problem := address_problem(ipaddress.ip_address(peer.split("%")[0])):
            sock.close()
            raise _refusal(self.host, peer, problem)
        return sock


class _HTTPConnection(_PolicyConnection, HTTPConnection):
    pass


class _HTTPSConnection(_PolicyConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class PolicyAdapter(HTTPAdapter):
    """A transport that connects only where the policy allows, and never through a proxy."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        kwargs["proxies"] = {}
        try:
            return super().send(request, **kwargs)
        except _Refused as refused:
            raise AddressNotAllowed(str(refused), request=request) from refused


class OutboundSession(requests.Session):
    """A requests session that obeys the policy (keep one per thread to reuse connections)."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # no proxy, certificate bundle or .netrc from the environment
        adapter = PolicyAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        if kwargs.get("timeout") is None:
            raise ValueError("An outbound request needs a timeout.")
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)


@dataclass(frozen=True)
class PostOutcome:
    """What became of one POST: the answer's status code and, unless it was 2xx, why not."""

    status: int | None  # None: no answer came
    problem: str  # "" when the answer was 2xx; else in our own words, never the answer's body
    duration_ms: int


def _status_problem(status: int, target: str) -> str:
    if 200 <= status < 300:
        return ""
    if 300 <= status < 400:
        return gettext(
            "HTTP %(status)s: %(target)s answered with a redirect, which is never followed."
        ) % {"status": status, "target": target}
    return gettext("HTTP %(status)s: %(target)s did not accept the message.") % {
        "status": status,
        "target": target,
    }


def outbound_post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, target: str
) -> PostOutcome:
    """POST a body where the policy allows, reading no answer: a URL anyone may have typed gets
    its status code and our own words recorded, never its answer. `target` names the URL in
    those words, e.g. "the forward URL"."""
    if problem := url_allowed_error(url):
        return PostOutcome(None, gettext("Not sent: %(problem)s") % {"problem": problem}, 0)
    started = time.monotonic()
    status, problem = None, ""
    try:
        with (
            OutboundSession() as session,
            session.post(url, data=body, headers=headers, timeout=timeout, stream=True) as answer,
        ):
            status, problem = answer.status_code, _status_problem(answer.status_code, target)
    except AddressNotAllowed as refused:
        problem = gettext("Not sent: %(problem)s") % {"problem": refused}
    except requests.Timeout:
        problem = gettext("No answer within %(seconds)s seconds.") % {"seconds": timeout}
    except requests.exceptions.SSLError:
        problem = gettext(
            "Could not connect securely: the TLS handshake or the certificate check failed."
        )
    except requests.ConnectionError:
        problem = gettext("Could not connect to %(target)s's host.") % {"target": target}
    except requests.RequestException:
        problem = gettext("The exchange with %(target)s broke off.") % {"target": target}
    return PostOutcome(status, problem, round((time.monotonic() - started) * 1000))
