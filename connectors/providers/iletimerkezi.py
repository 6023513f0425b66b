"""İleti Merkezi (Turkey): GET send API with key/hash, XML answers; JSON balance."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from connectors.providers.base import TURKISH_MOBILE_RE, Provider, e164_from, iys_list_field
from connectors.providers.bulk import one_result
from connectors.providers.http import HttpAnswer
from connectors.providers.types import (
    Answer,
    BulkItem,
    Call,
    Category,
    CheckResult,
    DeliveryState,
    Exchange,
    OutboundSms,
    Outcome,
    ProviderError,
    Receipt,
    ReceiptRequest,
    SendResult,
    SentSms,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

SEND_PATH = "/v1/send-sms/get/"
BALANCE_PATH = "/v1/get-balance/json"
REPORT_PATH = "/v1/get-report/json"
REPORT_ROWS = 1000  # the most rows get-report answers per page
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


# Message statuses of get-report (110-112) and of the webhook's `status`.
REPORT_STATES = {
    "110": DeliveryState.PENDING,  # Mesaj gönderiliyor
    "111": DeliveryState.DELIVERED,  # Mesaj gönderildi
    "112": DeliveryState.UNDELIVERED,  # Mesaj gönderilemedi
}
WEBHOOK_STATES = {
    "accepted": DeliveryState.PENDING,
    "delivered": DeliveryState.DELIVERED,
    "undelivered": DeliveryState.UNDELIVERED,
}
# get-report answers for an order it cannot report on (yet): no receipts, asked again later.
NOT_REPORTED = {"455", "456"}


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
    # No count is documented; 500 numbers keep the GET URL near 6 KB, under the 8 KB request
    # line many servers take (assumed: docs/providers.md).
    max_recipients_per_request = 500
    supports_bulk = True
    max_text_length = 1071  # seven SMS (error 453 beyond)
    receipts_pushed = True  # the webhook set in the panel (Settings → API → Webhook)
    receipts_polled = True
    report_batch = 1000
    number_format = "5xxxxxxxxx"
    recipient_pattern = TURKISH_MOBILE_RE
    recipient_rule = "Turkish mobile numbers (+90 5xx…)"
    sender_code = "450"
    recipient_code = "466"
    too_long_code = "453"
    supports_iys = True
    default_destinations = ("90",)
    extra_option_fields = {"iys_list": iys_list_field()}

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """One GET send-sms request; status 200 with an order id is accepted."""
        return one_result(self._send_list(connector, call, [message]))

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Up to 500 numbers per GET send-sms (`receipents` comma list); the answer is one order
        (receipts match its id and the number), or one code for the whole request."""
        return self.send_lists(messages, lambda chunk: self._send_list(connector, call, chunk))

    def _send_list(
        self, connector: Connector, call: Call, messages: list[OutboundSms]
    ) -> list[SendResult]:
        first = messages[0]
        params = {
            "key": connector.username,
            "hash": connector.password,
            "text": first.text,
            "receipents": ",".join(message.number for message in messages),
            "sender": first.sender,
        }
        # Commercial messages must be checked against İYS consent, by law.
        if first.kind == "commercial":
            params.update(iys="1", iysList=self.iys_recipient_type_for(connector, first))
        else:
            params["iys"] = "0"
        answer = self.client(connector, call.log).request("GET", SEND_PATH, params=params)
        code, root = _status(answer, _xml_status)
        order_id = (root.findtext("order/id") or "").strip()
        if not order_id:
            raise ProviderError(
                Category.UNKNOWN,
                "İleti Merkezi answered 200 without an order id.",
                code=code,
                http_status=answer.status,
            )
        result = SendResult(
            provider_message_id=order_id,
            code=code,
            detail=ANSWERS[code].message,
            http_status=answer.status,
        )
        return [result] * len(messages)

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """The JSON balance API: SMS credits and the amount in TL."""
        client = self.client(connector, log)
        body = {
            "request": {"authentication": {"key": connector.username, "hash": connector.password}}
        }
        answer = client.request(
            "POST",
            BALANCE_PATH,
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        _, response = _status(answer, _json_status)
        balance = response.get("balance") or {}
        sms, amount = str(balance.get("sms", "")), str(balance.get("amount", ""))
        return CheckResult(
            ok=True,
            detail=f"Connected. Balance: {sms} SMS credits ({amount} TL)",
            balance=sms,
        )

    # -- delivery reports -----------------------------------------------------------------------

    def receipt_parse(self, connector: Connector, request: ReceiptRequest) -> list[Receipt]:
        """The webhook: `{"report": {"id", "packet_id", "status", "to", "body"}}` per message."""
        try:
            report = json.loads(request.body)["report"]
            status = str(report["status"]).strip().lower()
            order_id = str(report["packet_id"]).strip()
        except (ValueError, KeyError, TypeError):
            raise ValueError("not an İleti Merkezi webhook report") from None
        if status not in WEBHOOK_STATES:
            raise ValueError(f"unknown status {status!r}")
        return [
            Receipt(
                state=WEBHOOK_STATES[status],
                provider_message_id=order_id,
                number=e164_from(str(report.get("to", "")), national_prefix="90"),
                code=status,
                raw=request.body.decode("utf-8", errors="replace"),
            )
        ]

    def reports_poll(
        self, *, connector: Connector, messages: list[SentSms], call: Call
    ) -> list[Receipt]:
        """get-report per order id, page by page (1,000 numbers a page): 110/111/112 each."""
        client = self.client(connector, call.log)
        receipts: list[Receipt] = []
        for order_id in sorted({m.provider_message_id for m in messages if m.provider_message_id}):
            page = 1
            while True:
                rows = self._report_page(client, connector, order_id, page)
                receipts += [
                    Receipt(
                        state=REPORT_STATES.get(str(row.get("status")), DeliveryState.PENDING),
                        provider_message_id=order_id,
                        number=e164_from(str(row.get("number", "")), national_prefix="90"),
                        code=str(row.get("status", "")),
                        raw=json.dumps(row, ensure_ascii=False),
                    )
                    for row in rows
                ]
                if len(rows) < REPORT_ROWS:
                    break
                page += 1
        return receipts

    def _report_page(self, client, connector: Connector, order_id: str, page: int) -> list[dict]:
        body = {
            "request": {
                "authentication": {"key": connector.username, "hash": connector.password},
                "order": {"id": order_id, "page": page, "rowCount": REPORT_ROWS},
            }
        }
        answer = client.request(
            "POST", REPORT_PATH, body=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        try:
            _, response = _status(answer, _json_status)
        except ProviderError as error:
            if error.code in NOT_REPORTED:
                return []
            raise
        rows = (response.get("order") or {}).get("message") or []
        return [
            row for row in (rows if isinstance(rows, list) else [rows]) if isinstance(row, dict)
        ]


def _xml_status(text: str) -> tuple[str, ElementTree.Element]:
    root = ElementTree.fromstring(text)  # noqa: S314 (expat refuses entity bombs; no external entities)
    return (root.findtext("status/code") or "").strip(), root


def _json_status(text: str) -> tuple[str, dict]:
    response = json.loads(text)["response"]
    return str(response["status"]["code"]).strip(), response


def _status(answer: HttpAnswer, parse: Callable[[str], tuple[str, Any]]) -> tuple[str, Any]:
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
        )
    if entry.outcome != Outcome.ACCEPTED:
        raise answer_error(entry, code=code, http_status=answer.status)
    return code, parsed
