"""JoSMS / JorMall (Jordan): token auth, SingleSMS3 and SingleSMS_General3 sends, bulk send and
balance."""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from connectors.providers.base import Provider
from connectors.providers.http import HttpAnswer, ProviderClient
from connectors.providers.types import (
    Answer,
    BulkItem,
    Call,
    Category,
    CheckResult,
    Exchange,
    OutboundSms,
    Outcome,
    ProviderError,
    SendResult,
    TokenStore,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

TOKEN_PATH = "/sms/api/GenerateToken.cfm"
# The vendor sheet's two single-send gateways: OTP only, and "General" (announcements, promotions).
OTP_PATH = "/SMSServices/Clients/Prof/SingleSMS3/SMSService.asmx/SendSMS"
GENERAL_PATH = "/SMSServices/Clients/Prof/SingleSMS_General3/SMSService.asmx/SendSMS"
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
    recipient_pattern = JORDAN_MOBILE_RE
    recipient_rule = "Jordanian mobile numbers (+962 77/78/79…)"
    sender_code = "Invalid Sender ID"
    recipient_code = "Invalid Mobile Number"
    supports_client_id = True
    supports_bulk = True
    default_destinations = ("962",)

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """SingleSMS3 (transactional) or SingleSMS_General3 (anything else) with a bearer token
        (a fresh one once if refused) and our id as `id`."""
        client = self.client(connector, call.log, extra_secrets=(connector.session_token,))
        fields = {
            "senderid": message.sender,
            "numbers": message.number,
            "msg": message.text,
            "id": str(message.id),
        }
        path = OTP_PATH if message.kind == "transactional" else GENERAL_PATH
        was_stored = bool(connector.session_token)
        token = self._token(client, connector, call.tokens)
        answer = self._single(client, path, fields, token)
        if _refused(answer) and (
            retry := self._replacement_token(client, connector, call.tokens, token, was_stored)
        ):
            answer = self._single(client, path, fields, retry)
        key, rest = _read(answer)
        return SendResult(
            provider_message_id=rest if key == "MsgID" else "",
            code=key,
            detail=ANSWERS[key].message,
            http_status=answer.status,
        )

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Up to 120 numbers per SendBulkMessages request (same text and sender)."""
        items: dict[int, BulkItem] = {}
        for (sender, text), group in groupby(sorted(messages, key=_bulk_key), key=_bulk_key):
            group = list(group)
            for start in range(0, len(group), BULK_LIMIT):
                chunk = group[start : start + BULK_LIMIT]
                if len(chunk) == 1:  # a single send keeps the duplicate-id protection
                    (single,) = super().send_bulk(connector=connector, messages=chunk, call=call)
                    items[id(single.message)] = single
                    continue
                items.update(self._bulk_chunk(connector, call.log, sender, text, chunk))
        return [items[id(message)] for message in messages]

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """GetBalance.cfm: the balance, or the credentials error."""
        answer = self.client(connector, log).request(
            "GET",
            BALANCE_PATH,
            params={"AccName": connector.username, "AccPass": connector.password},
        )
        balance = answer.text.strip().strip('"').strip()
        if answer.status == 200 and re.fullmatch(r"-?\d+(\.\d+)?", balance):
            return CheckResult(ok=True, detail=f"Connected. Balance: {balance}", balance=balance)
        _read(answer)  # raises the table's error for any other answer
        raise ProviderError(
            Category.UNKNOWN,
            f"JoSMS answered the balance request with {answer.text.strip()[:200]!r}.",
            http_status=answer.status,
        )

    # -- steps -----------------------------------------------------------------------------------

    def _token(
        self,
        client: ProviderClient,
        connector: Connector,
        tokens: TokenStore,
        *,
        fresh: bool = False,
    ) -> str:
        """The connector's bearer token, or a new one from GenerateToken.cfm, kept in the store."""
        if connector.session_token and not fresh:
            return connector.session_token
        answer = client.request(
            "GET", TOKEN_PATH, params={"accname": connector.username, "accpass": connector.password}
        )
        body = _unwrap(answer.text)
        if answer.status == 200 and _lookup(body) is not None:
            _read(answer)  # a documented error, e.g. "Invalid user name or password"
        lines = (line.strip() for line in body.splitlines())
        token = next(
            (line[len("Bearer ") :].strip() for line in lines if line.startswith("Bearer ")), body
        )
        if answer.status != 200 or not token or any(c.isspace() for c in token):
            raise ProviderError(
                Category.UNKNOWN,
                "JoSMS did not answer the token request with a token.",
                http_status=answer.status,
            )
        # The token arrived in an answer recorded before we knew it was a secret.
        client.add_secret(token)
        connector.session_token = token
        tokens.store(token)
        return token

    def _replacement_token(
        self,
        client: ProviderClient,
        connector: Connector,
        tokens: TokenStore,
        used: str,
        was_stored: bool,
    ) -> str:
        """After a refused send: one token worth one more try, or "" when none is.

        Another worker may have fetched a token meanwhile, which invalidates ours: use the one it
        stored. Otherwise a stored token may have expired: fetch a fresh one. A token we fetched
        ourselves and nobody replaced was refused for good.
        """
        current = tokens.stored()
        if current and current != used:
            client.add_secret(current)
            connector.session_token = current
            return current
        return self._token(client, connector, tokens, fresh=True) if was_stored else ""

    def _single(
        self, client: ProviderClient, path: str, fields: dict[str, str], token: str
    ) -> HttpAnswer:
        return client.request(
            "POST", path, data=fields, headers={"Authorization": f"Bearer {token}"}
        )

    def _bulk_chunk(
        self,
        connector: Connector,
        log: list[Exchange],
        sender: str,
        text: str,
        chunk: list[OutboundSms],
    ) -> dict[int, BulkItem]:
        """One SendBulkMessages request; its answer holds for every message of the chunk."""
        try:
            answer = self.client(connector, log).request(
                "GET",
                BULK_PATH,
                params={
                    "numbers": ",".join(message.number for message in chunk),
                    "senderid": sender,
                    "AccName": connector.username,
                    "AccPass": connector.password,
                    "msg": text,
                },
            )
            key, rest = _read(answer)
        except ProviderError as error:
            return {id(message): BulkItem(message, error=error) for message in chunk}
        result = SendResult(
            provider_message_id=rest,
            code=key,
            detail=ANSWERS[key].message,
            http_status=answer.status,
        )
        return {id(message): BulkItem(message, result=result) for message in chunk}


def _bulk_key(message: OutboundSms) -> tuple[str, str]:
    return message.sender, message.text


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


def _read(answer: HttpAnswer) -> tuple[str, str]:
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
        )
    rest = text[len(key) :].strip().lstrip("=").strip()
    if ANSWERS[key].outcome != Outcome.ACCEPTED:
        raise answer_error(ANSWERS[key], code=key, detail=rest, http_status=answer.status)
    return key, rest
