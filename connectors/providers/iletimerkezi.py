"""İleti Merkezi (Turkey): GET send API with key/hash, XML answers; JSON balance."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from django import forms

from connectors.providers.base import (
    Answer,
    CannotCarry,
    Category,
    CheckResult,
    OutboundSms,
    Outcome,
    Provider,
    ProviderError,
    SendResult,
    answer_error,
    turkish_mobile,
)

if TYPE_CHECKING:
    from connectors.models import Connector
    from connectors.providers.http import HttpAnswer, ProviderClient

SEND_PATH = "/v1/send-sms/get/"
BALANCE_PATH = "/v1/get-balance/json"
A, F = Outcome.ACCEPTED, Outcome.FAILED

# İleti Merkezi status codes (the vendor's full table) with its Turkish wording where documented.
ANSWERS: dict[str, Answer] = {
    "200": Answer(A, None, "Accepted", "İşlem başarılı"),
    "400": Answer(
        F, Category.UNKNOWN, "İleti Merkezi could not parse the request", "İstek çözümlenemedi"
    ),
    "401": Answer(
        F,
        Category.CREDENTIALS,
        "API key or hash rejected (or API access is off, or the IP is not allowed)",
        "Üyelik bilgileri hatalı",
    ),
    "402": Answer(F, Category.BALANCE, "Insufficient balance", "Bakiye yetersiz"),
    "404": Answer(
        F,
        Category.UNKNOWN,
        "The API has no such method (check the base URL)",
        "API istek yapılan yönteme sahip değil",
    ),
    "450": Answer(
        F,
        Category.SENDER,
        "Sender title not approved (case and spaces matter)",
        "Gönderilen başlık kullanıma uygun değil",
    ),
    "451": Answer(
        F,
        Category.RATE_LIMIT,
        "Repeated order: same text to the same recipients within 10 minutes",
        "Tekrar eden sipariş",
    ),
    "452": Answer(
        F,
        Category.RECIPIENT,
        "Recipients are wrong, or blocked in the account's block list",
        "Mesaj alıcıları hatalı",
    ),
    "453": Answer(F, Category.CONTENT, "Text longer than seven SMS", "Sipariş boyutu aşıldı"),
    "454": Answer(F, Category.CONTENT, "Message text empty", "Mesaj metni boş"),
    "455": Answer(F, Category.UNKNOWN, "Order not found", "Sipariş bulunamadı"),
    "456": Answer(
        F,
        Category.UNKNOWN,
        "Order's sending date has not come yet",
        "Sipariş gönderim tarihi henüz gelmedi",
    ),
    "457": Answer(
        F,
        Category.UNKNOWN,
        "Sending date in the wrong format",
        "Mesaj gönderim tarihinin formatı hatalı",
    ),
    "458": Answer(
        F, Category.UNKNOWN, "Date range wrong (more than 10 days)", "Tarih aralığı hatalı"
    ),
    "461": Answer(F, Category.UNKNOWN, "Group error (contact groups API)"),
    "462": Answer(F, Category.UNKNOWN, "Group error (contact groups API)"),
    "463": Answer(F, Category.UNKNOWN, "Contact error (contacts API)"),
    "465": Answer(F, Category.UNKNOWN, "Contact error (contacts API)"),
    "466": Answer(F, Category.RECIPIENT, "Wrong number", "Hatalı numara"),
    "468": Answer(F, Category.UNKNOWN, "The iys field must be sent"),
    "469": Answer(F, Category.UNKNOWN, "iysList must be BIREYSEL or TACIR for commercial messages"),
    "503": Answer(
        F,
        Category.PROVIDER_ERROR,
        "Server temporarily out of service",
        "Sunucu geçici olarak servis dışı",
    ),
}


class IletiMerkeziProvider(Provider):
    slug = "iletimerkezi"
    name = "İleti Merkezi"
    default_priority = 10
    default_base_url = "https://api.iletimerkezi.com"
    description = "Turkish SMS gateway. API key and hash from Settings → Security → API Access."
    username_label = "API key"
    password_label = "API hash"
    username_help = "The API key issued by the İleti Merkezi panel."
    password_help = "The API hash issued next to the key (not your panel password)."
    max_recipients_per_request = 1000
    max_text_length = 1071  # seven SMS (error 453 beyond)
    number_format = "5xxxxxxxxx"
    extra_option_fields = {
        "iys_list": forms.ChoiceField(
            label="İYS list for commercial messages",
            choices=[("BIREYSEL", "BIREYSEL (individuals)"), ("TACIR", "TACIR (merchants)")],
            initial="BIREYSEL",
            help_text="Commercial messages are checked against İYS consent in this list (iys=1).",
        ),
    }

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """One GET send-sms request; status 200 with an order id is accepted."""
        sender = self.sender_for(connector, message)
        number = turkish_mobile(self.name, message.to)
        if len(message.text) > self.max_text_length:
            raise CannotCarry(
                Category.CONTENT,
                f"The text has {len(message.text)} characters; İleti Merkezi takes at most "
                f"{self.max_text_length} (seven SMS; it would answer 453).",
                code="453",
            )
        params = {
            "key": connector.username,
            "hash": connector.password,
            "text": message.text,
            "receipents": number,
            "sender": sender,
        }
        # Commercial messages must be checked against İYS consent, by law.
        if message.kind == "commercial":
            params.update(iys="1", iysList=(connector.options or {}).get("iys_list") or "BIREYSEL")
        else:
            params["iys"] = "0"
        client = self.client(connector)
        answer = client.request("GET", SEND_PATH, params=params)
        code, root = _status(client, answer, _xml_status)
        order_id = (root.findtext("order/id") or "").strip()
        if not order_id:
            raise ProviderError(
                Category.UNKNOWN,
                "İleti Merkezi answered 200 without an order id.",
                code=code,
                http_status=answer.status,
                exchanges=client.exchanges,
            )
        return SendResult(
            provider_message_id=order_id,
            code=code,
            detail=ANSWERS[code].message,
            http_status=answer.status,
            exchanges=client.exchanges,
        )

    def check(self, *, connector: Connector) -> CheckResult:
        """The JSON balance API: SMS credits and the amount in TL."""
        client = self.client(connector)
        body = {
            "request": {"authentication": {"key": connector.username, "hash": connector.password}}
        }
        answer = client.request(
            "POST",
            BALANCE_PATH,
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        _, response = _status(client, answer, _json_status)
        balance = response.get("balance") or {}
        sms, amount = str(balance.get("sms", "")), str(balance.get("amount", ""))
        return CheckResult(
            ok=True,
            detail=f"Connected. Balance: {sms} SMS credits ({amount} TL)",
            balance=sms,
            exchanges=client.exchanges,
        )


def _xml_status(text: str) -> tuple[str, ElementTree.Element]:
    root = ElementTree.fromstring(text)  # noqa: S314 (expat refuses entity bombs; no external entities)
    return (root.findtext("status/code") or "").strip(), root


def _json_status(text: str) -> tuple[str, dict]:
    response = json.loads(text)["response"]
    return str(response["status"]["code"]).strip(), response


def _status(
    client: ProviderClient, answer: HttpAnswer, parse: Callable[[str], tuple[str, Any]]
) -> tuple[str, Any]:
    """(code, parsed answer) of an accepted answer; raise the table's error otherwise."""
    try:
        code, parsed = parse(answer.text)
    except (ElementTree.ParseError, ValueError, KeyError, TypeError):
        code, parsed = "", None
    entry = ANSWERS.get(code)
    if entry is None:
        raise ProviderError(
            Category.UNKNOWN,
            f"İleti Merkezi gave an answer without a known status code (HTTP {answer.status}): "
            f"{answer.text.strip()[:200]!r}",
            http_status=answer.status,
            exchanges=client.exchanges,
        )
    if entry.outcome != Outcome.ACCEPTED:
        raise answer_error(entry, code=code, http_status=answer.status, exchanges=client.exchanges)
    return code, parsed
