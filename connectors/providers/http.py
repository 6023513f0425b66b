"""The one way adapters talk HTTP: outbound policy (core.outbound), bounded answers, timing, redaction."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings

from connectors.providers.types import Category, Exchange, ProviderError
from core.outbound import OutboundSession, url_allowed_error

REDACTED = "***"
_local = threading.local()


def basic_authorization(username: str, password: str) -> str:
    """The Authorization header value for HTTP Basic authentication."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# A server closes a keep-alive connection it has seen idle for a while (gunicorn after 2 s, Apache
# after 5 s), and a request written as it closes is reset: a send failed so waits for its retry.
# A thread's connections idle longer than this are closed rather than reused.
IDLE_CONNECTION_SECONDS = 1.5


def _session() -> requests.Session:
    """This thread's keep-alive session (workers reuse connections to the same provider), a new
    one when its connections were idle longer than IDLE_CONNECTION_SECONDS."""
    session = getattr(_local, "session", None)
    if session is None or time.monotonic() - _local.used_at > IDLE_CONNECTION_SECONDS:
        if session is not None:
            session.close()
        session = _local.session = OutboundSession()
        _local.used_at = time.monotonic()
    return session


@dataclass
class HttpAnswer:
    status: int
    text: str
    headers: Mapping[str, str]


class Redactor:
    """Replaces secret values, and the values of secret-named fields, with ***."""

    def __init__(self, secrets: Iterable[str], names: Iterable[str]) -> None:
        # Very short values would mangle unrelated text; credentials are never that short.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)
        self.names = {n.lower() for n in names}
        alternatives = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        self._xml = (
            re.compile(rf"<({alternatives})(\s[^>]*)?>(.*?)</\1>", re.I | re.S)
            if self.names
            else None
        )

    def text(self, value: str) -> str:
        """Free text (a body) with secret values and secret-named XML elements redacted."""
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
            encoded = urlencode({"": secret})[1:]
            if encoded != secret:
                value = value.replace(encoded, REDACTED)
        if self._xml is not None:
            value = self._xml.sub(
                lambda m: f"<{m.group(1)}{m.group(2) or ''}>{REDACTED}</{m.group(1)}>", value
            )
        return value

    def pairs(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Name/value pairs with the values of secret names, and secrets anywhere, redacted."""
        return [(k, REDACTED if k.lower() in self.names else self.text(str(v))) for k, v in pairs]

    def url(self, url: str) -> str:
        """A URL with its query pairs and any secret in the path redacted."""
        parts = urlsplit(url)
        query = urlencode(self.pairs(parse_qsl(parts.query, keep_blank_values=True)), safe="*")
        return self.text(urlunsplit(parts._replace(query=query)))

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers redacted like pairs (Authorization is a secret name)."""
        return dict(self.pairs(headers.items()))


class ProviderClient:
    """Calls one provider for one connector, appending each redacted exchange to the caller's log.

    The log belongs to the caller, so an exchange is kept even when the adapter fails after it.
    """

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        secrets: Iterable[str],
        redacted_names: Iterable[str],
        log: list[Exchange],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.redactor = Redactor(secrets, redacted_names)
        self.log = log
        self._made: list[Exchange] = []

    def add_secret(self, secret: str) -> None:
        """Redact a value learnt during the exchange (e.g. a token), also where already recorded."""
        self.redactor = Redactor([*self.redactor.secrets, secret], self.redactor.names)
        for exchange in self._made:
            exchange.response_body = self.redactor.text(exchange.response_body)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | list[tuple[str, str]] | None = None,
        data: Mapping[str, str] | list[tuple[str, str]] | None = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
    ) -> HttpAnswer:
        """Make one request; raise ProviderError for transport faults, redirects and 5xx."""
        url = self.base_url + path
        if problem := url_allowed_error(url):
            raise ProviderError(Category.NETWORK, f"Refused to call {url}: {problem}")
        request = requests.Request(
            method,
            url,
            params=params,
            data=data if body is None else body.encode(encoding),
            headers=dict(headers or {}),
        )
        prepared = _session().prepare_request(request)
        exchange = Exchange(
            method=method,
            url=self.redactor.url(prepared.url or url),
            request_headers=self.redactor.headers(
                {
                    k: v
                    for k, v in prepared.headers.items()
                    if k.lower() not in {"user-agent", "accept-encoding", "connection", "accept"}
                }
            ),
            request_body=self._request_body(prepared.body, data),
        )
        self.log.append(exchange)
        self._made.append(exchange)
        started = time.monotonic()
        try:
            answer = self._send(prepared)
        except ProviderError as error:
            exchange.error = error.detail
            raise
        finally:
            exchange.duration_ms = round((time.monotonic() - started) * 1000)
        exchange.status = answer.status
        exchange.response_headers = self.redactor.headers(
            {
                k: v
                for k, v in answer.headers.items()
                if k.lower() in {"content-type", "location", "retry-after"}
            }
        )
        exchange.response_body = self.redactor.text(answer.text)
        if 300 <= answer.status < 400:
            raise ProviderError(
                Category.PROVIDER_ERROR,
                f"The provider answered with a redirect (HTTP {answer.status}), which is never followed.",
                code=str(answer.status),
                http_status=answer.status,
            )
        if answer.status >= 500:
            raise ProviderError(
                Category.PROVIDER_ERROR,
                f"The provider had a server error (HTTP {answer.status}).",
                code=str(answer.status),
                http_status=answer.status,
            )
        return answer

    def _send(self, prepared: requests.PreparedRequest) -> HttpAnswer:
        limit = settings.SMSCONSOLE_PROVIDER_MAX_ANSWER_BYTES
        try:
            with _session().send(
                prepared,
                timeout=(min(5.0, self.timeout), self.timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                chunks, size = [], 0
                deadline = time.monotonic() + self.timeout
                for chunk in response.iter_content(8192):
                    size += len(chunk)
                    if size > limit:
                        raise ProviderError(
                            Category.UNKNOWN,
                            f"The provider's answer was larger than {limit} bytes; it was not read.",
                            http_status=response.status_code,
                        )
                    if time.monotonic() > deadline:
                        raise ProviderError(
                            Category.TIMEOUT,
                            f"The provider's answer took longer than {self.timeout:g} s.",
                        )
                    chunks.append(chunk)
                raw = b"".join(chunks)
                encoding = response.encoding or "utf-8"
                text = raw.decode(
                    encoding if encoding.lower() != "iso-8859-1" else "utf-8", errors="replace"
                )
                # A NUL byte is never part of a real answer, and PostgreSQL cannot store it in
                # the attempt record: it becomes the replacement character, like undecodable bytes.
                text = text.replace("\x00", "\ufffd")
                return HttpAnswer(status=response.status_code, text=text, headers=response.headers)
        except (requests.ConnectTimeout, requests.ReadTimeout) as exc:
            raise ProviderError(Category.TIMEOUT, f"No answer within {self.timeout:g} s.") from exc
        except requests.ConnectionError as exc:
            raise ProviderError(Category.NETWORK, f"Connection failed: {_reason(exc)}") from exc
        except requests.RequestException as exc:
            raise ProviderError(
                Category.NETWORK, f"The exchange broke off: {_reason(exc)}"
            ) from exc
        finally:
            _local.used_at = time.monotonic()  # the connection is idle from here on

    def _request_body(self, body: bytes | str | None, data) -> str:
        if body is None:
            return ""
        if isinstance(data, (dict, list)) and data:
            return urlencode(self.redactor.pairs(data.items() if isinstance(data, dict) else data))
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        return self.redactor.text(text)


def _reason(exc: Exception) -> str:
    # The innermost cause says what happened ("Connection refused"), without the URL (it may hold secrets).
    inner = exc
    while inner.__cause__ or inner.__context__:
        inner = inner.__cause__ or inner.__context__
    text = str(inner) or type(inner).__name__
    return re.sub(r"https?://\S+", "<url>", text)[:200]
