"""JoSMS / JorMall (Jordan): token auth, SingleSMS3 send, bulk send and balance."""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from connectors.providers.base import (
    Answer,
    BulkItem,
    CannotCarry,
    Category,
    CheckResult,
    OutboundSms,
    Outcome,
    Provider,
    ProviderError,
    SendResult,
    answer_error,
)
from connectors.selectors import connector_session_token
from connectors.services import connector_store_session_token

if TYPE_CHECKING:
    from connectors.models import Connector
    from connectors.providers.http import HttpAnswer, ProviderClient

TOKEN_PATH = "/sms/api/GenerateToken.cfm"
SEND_PATH = "/SMSServices/Clients/Prof/SingleSMS3/SMSService.asmx/SendSMS"
BULK_PATH = "/sms/api/SendBulkMessages.cfm"
BALANCE_PATH = "/sms/api/GetBalance.cfm"
JORDAN_MOBILE_RE = re.compile(r"^\+(9627[789]\d{7})$")
BULK_LIMIT = 120
A, F = Outcome.ACCEPTED, Outcome.FAILED

# Every documented JoSMS result text, matched at the start of the answer (some carry an id).
ANSWERS: dict[str, Answer] = {
    "MsgID": Answer(A, None, "Accepted", "MsgID = <id>"),
    # We pass our message id as `id`, so a duplicate means JoSMS already has this very message.
    "Message Ignored, Duplicate ID": Answer(
        A,
        None,
        "Already accepted earlier with this message id; not sent again",
        "Message Ignored, Duplicate ID",
    ),
    "Invalid user name or password": Answer(
        F,
        Category.CREDENTIALS,
        "Account name, password or token rejected",
        "Invalid user name or password",
    ),
    "Invalid Sender ID": Answer(
        F, Category.SENDER, "Sender id not registered for this account", "Invalid Sender ID"
    ),
    "Invalid Mobile Number": Answer(
        F, Category.RECIPIENT, "Not a valid Jordanian mobile number", "Invalid Mobile Number"
    ),
    "Invalid Number": Answer(
        F,
        Category.RECIPIENT,
        "None of the numbers is a valid Jordanian mobile number",
        "Invalid Number",
    ),
    "Error exists please try again": Answer(
        F,
        Category.PROVIDER_ERROR,
        "JoSMS reported an error (also its answer when out of balance)",
        "Error exists please try again",
    ),
    "Connection Failed, please try again": Answer(
        F,
        Category.PROVIDER_ERROR,
        "Temporary problem at JoSMS; the message was not submitted",
        "Connection Failed, please try again",
    ),
}


class JoSmsProvider(Provider):
    slug = "josms"
    name = "JoSMS"
    default_priority = 80
    default_base_url = "https://www.josms.net"
    description = "Jordanian SMS gateway (JorMall). Token auth; Jordanian mobile numbers only."
    username_label = "Account name"
    password_label = "Account password"
    username_help = "The JoSMS account name (accname)."
    redacted_names = Provider.redacted_names | {"accname", "accpass"}
    max_recipients_per_request = BULK_LIMIT
    max_text_length = 800
    number_format = "9627[789]xxxxxxx"
    supports_client_id = True
    supports_bulk = True

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """SingleSMS3 with a bearer token (a fresh one once if refused) and our id as `id`."""
        sender, number = self._carriable(connector, message)
        client = self.client(connector, extra_secrets=(connector.session_token,))
        fields = {"senderid": sender, "numbers": number, "msg": message.text, "id": str(message.id)}
        was_stored = bool(connector.session_token)
        token = self._token(client, connector)
        answer = self._single(client, fields, token)
        if _refused(answer) and (
            retry := self._replacement_token(client, connector, token, was_stored)
        ):
            answer = self._single(client, fields, retry)
        key, rest = _read(client, answer)
        return SendResult(
            provider_message_id=rest if key == "MsgID" else "",
            code=key,
            detail=ANSWERS[key].message,
            http_status=answer.status,
            exchanges=client.exchanges,
        )

    def send_bulk(self, *, connector: Connector, messages: list[OutboundSms]) -> list[BulkItem]:
        """Up to 120 numbers per SendBulkMessages request (same text and sender)."""
        items: dict[int, BulkItem] = {}
        carriable: list[tuple[OutboundSms, str, str]] = []
        for message in messages:
            try:
                carriable.append((message, *self._carriable(connector, message)))
            except CannotCarry as error:
                items[id(message)] = BulkItem(message, error=error)
        for (sender, text), group in groupby(sorted(carriable, key=_bulk_key), key=_bulk_key):
            group = list(group)
            for start in range(0, len(group), BULK_LIMIT):
                chunk = group[start : start + BULK_LIMIT]
                if len(chunk) == 1:  # a single send keeps the duplicate-id protection
                    (single,) = super().send_bulk(connector=connector, messages=[chunk[0][0]])
                    items[id(single.message)] = single
                    continue
                items.update(self._bulk_chunk(connector, sender, text, chunk))
        return [items[id(message)] for message in messages]

    def check(self, *, connector: Connector) -> CheckResult:
        """GetBalance.cfm: the balance, or the credentials error."""
        client = self.client(connector)
        answer = client.request(
            "GET",
            BALANCE_PATH,
            params={"AccName": connector.username, "AccPass": connector.password},
        )
        balance = answer.text.strip().strip('"').strip()
        if answer.status == 200 and re.fullmatch(r"-?\d+(\.\d+)?", balance):
            return CheckResult(
                ok=True,
                detail=f"Connected. Balance: {balance}",
                balance=balance,
                exchanges=client.exchanges,
            )
        _read(client, answer)  # raises the table's error for any other answer
        raise ProviderError(
            Category.UNKNOWN,
            f"JoSMS answered the balance request with {answer.text.strip()[:200]!r}.",
            http_status=answer.status,
            exchanges=client.exchanges,
        )

    # -- steps -----------------------------------------------------------------------------------

    def _carriable(self, connector: Connector, message: OutboundSms) -> tuple[str, str]:
        """(sender id, number) for the message, or CannotCarry."""
        sender = self.sender_for(connector, message)
        match = JORDAN_MOBILE_RE.match(message.to)
        if not match:
            raise CannotCarry(
                Category.RECIPIENT,
                f"JoSMS carries Jordanian mobile numbers (+962 77/78/79…) only, not {message.to}.",
            )
        if len(message.text) > self.max_text_length:
            raise CannotCarry(
                Category.CONTENT,
                f"The text has {len(message.text)} characters; JoSMS takes at most "
                f"{self.max_text_length}.",
            )
        return sender, match.group(1)

    def _token(self, client: ProviderClient, connector: Connector, *, fresh: bool = False) -> str:
        """The stored bearer token, or a new one from GenerateToken.cfm (stored encrypted)."""
        if connector.session_token and not fresh:
            return connector.session_token
        answer = client.request(
            "GET", TOKEN_PATH, params={"accname": connector.username, "accpass": connector.password}
        )
        body = _unwrap(answer.text)
        if answer.status == 200 and _lookup(body) is not None:
            _read(client, answer)  # a documented error, e.g. "Invalid user name or password"
        lines = (line.strip() for line in body.splitlines())
        token = next(
            (line[len("Bearer ") :].strip() for line in lines if line.startswith("Bearer ")), body
        )
        if answer.status != 200 or not token or any(c.isspace() for c in token):
            raise ProviderError(
                Category.UNKNOWN,
                "JoSMS did not answer the token request with a token.",
                http_status=answer.status,
                exchanges=client.exchanges,
            )
        client.add_secret(token)
        # The token arrived in an answer recorded before we knew it was a secret.
        for exchange in client.exchanges:
            exchange.response_body = client.redactor.text(exchange.response_body)
        connector_store_session_token(connector=connector, token=token)
        return token

    def _replacement_token(
        self, client: ProviderClient, connector: Connector, used: str, was_stored: bool
    ) -> str:
        """After a refused send: one token worth one more try, or "" when none is.

        Another worker may have fetched a token meanwhile, which invalidates ours: use the one it
        stored. Otherwise a stored token may have expired: fetch a fresh one. A token we fetched
        ourselves and nobody replaced was refused for good.
        """
        current = connector_session_token(connector_id=connector.pk) if connector.pk else ""
        if current and current != used:
            client.add_secret(current)
            connector.session_token = current
            return current
        return self._token(client, connector, fresh=True) if was_stored else ""

    def _single(self, client: ProviderClient, fields: dict[str, str], token: str) -> HttpAnswer:
        return client.request(
            "POST", SEND_PATH, data=fields, headers={"Authorization": f"Bearer {token}"}
        )

    def _bulk_chunk(
        self,
        connector: Connector,
        sender: str,
        text: str,
        chunk: list[tuple[OutboundSms, str, str]],
    ) -> dict[int, BulkItem]:
        """One SendBulkMessages request; its answer holds for every message of the chunk."""
        client = self.client(connector)
        try:
            answer = client.request(
                "GET",
                BULK_PATH,
                params={
                    "numbers": ",".join(number for _, _, number in chunk),
                    "senderid": sender,
                    "AccName": connector.username,
                    "AccPass": connector.password,
                    "msg": text,
                },
            )
            key, rest = _read(client, answer)
        except ProviderError as error:
            return {id(message): BulkItem(message, error=error) for message, _, _ in chunk}
        result = SendResult(
            provider_message_id=rest,
            code=key,
            detail=ANSWERS[key].message,
            http_status=answer.status,
            exchanges=client.exchanges,
        )
        return {id(message): BulkItem(message, result=result) for message, _, _ in chunk}


def _bulk_key(item: tuple[OutboundSms, str, str]) -> tuple[str, str]:
    message, sender, _ = item
    return sender, message.text


def _unwrap(text: str) -> str:
    """The result text, from plain text or from ASP.NET's `<string xmlns=...>text</string>`."""
    text = text.strip()
    if not text.startswith("<"):
        return text
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 (expat refuses entity bombs; no external entities)
    except ElementTree.ParseError:
        return text
    return (root.text or "").strip()


def _lookup(text: str) -> str | None:
    """The table key the answer starts with, or None."""
    return next((key for key in ANSWERS if text.startswith(key)), None)


def _refused(answer: HttpAnswer) -> bool:
    """Whether a send was refused for authorisation (so a fresh token may help)."""
    key = _lookup(_unwrap(answer.text))
    return answer.status in (401, 403) or (
        key is not None and ANSWERS[key].category == Category.CREDENTIALS
    )


def _read(client: ProviderClient, answer: HttpAnswer) -> tuple[str, str]:
    """(table key, what follows it) of an accepting answer; raise the table's error otherwise."""
    text = _unwrap(answer.text)
    key = _lookup(text)
    if answer.status != 200 or key is None:
        raise ProviderError(
            Category.CREDENTIALS if answer.status in (401, 403) else Category.UNKNOWN,
            f"JoSMS gave an answer that is not a documented result (HTTP {answer.status}): "
            f"{text[:200]!r}",
            code=key or "",
            http_status=answer.status,
            exchanges=client.exchanges,
        )
    rest = text[len(key) :].strip().lstrip("=").strip()
    if ANSWERS[key].outcome != Outcome.ACCEPTED:
        raise answer_error(
            ANSWERS[key],
            code=key,
            detail=rest,
            http_status=answer.status,
            exchanges=client.exchanges,
        )
    return key, rest
