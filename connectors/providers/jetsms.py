"""Jet SMS (Turkey): the XML API at /SMS-Web8/xmlsms, answering `<code> <text>`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from django import forms

from connectors.providers.base import TURKISH_MOBILE_RE, Provider, e164_from, iys_list_field
from connectors.providers.bulk import one_result
from connectors.providers.http import ProviderClient
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
    SendResult,
    SentSms,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

SEND_PATH = "/SMS-Web8/xmlsms"
# start-date and expire-date are Turkish local time, to the minute (clients fill them so).
DATE_FORMAT = "%d%m%Y%H%M"
JET_TIME_ZONE = ZoneInfo("Europe/Istanbul")
# The SOAP web service's ReportSMS on the connector's host (assumed: docs/providers.md).
REPORT_PATH = "/ws/soapsms.asmx"
SOAP_NS = "http://tempuri.org/"
A, F = Outcome.ACCEPTED, Outcome.FAILED
# ReportSMS Status per number (assumed to be HttpSmsReport's states: docs/providers.md); any
# other value (0, 2, 6, 7, 8 waiting, -1 unknown id) leaves the message pending.
REPORT_STATES = {
    "1": DeliveryState.DELIVERED,
    "3": DeliveryState.UNDELIVERED,
    "4": DeliveryState.EXPIRED,  # timed out at the operator
    "9": DeliveryState.UNDELIVERED,
}

# The Jet SMS answer code table (XML and web-service API), with the Turkish wording of the document.
ANSWERS: dict[str, Answer] = {
    "00": Answer(A, None, "Accepted", "SMS Gönderimi Başarılı"),
    "10": Answer(
        F, Category.CREDENTIALS, "Wrong user name or password", "Kullanıcı adı veya şifre hatalı"
    ),
    "11": Answer(
        F, Category.BALANCE, "No credit left to send messages", "Mesaj Göndermek için limit yok"
    ),
    "12": Answer(
        F,
        Category.SENDER,
        "Sender title wrong or not approved",
        "Mesaj Başlığı Hatalı veya onaylı değil",
    ),
    "30": Answer(F, Category.SENDER, "Sender title empty", "Mesaj Başlığı Boş"),
    "31": Answer(
        F, Category.RECIPIENT, "No GSM number to send to", "Mesaj Gönderilecek Gsm Numarası yok"
    ),
    # Not in Jet SMS's own table; glossed by a client citing the 2022 code document.
    "38": Answer(F, Category.CONTENT, "Message text empty", "Mesaj metni boş"),
    "72": Answer(
        F, Category.SENDER, "Adding sender titles is closed", "Mesaj Başlığı Ekleme Kapatıldı"
    ),
    "76": Answer(
        F,
        Category.CREDENTIALS,
        "The account may not send through the XML API",
        "XML ile mesaj gondermesine yetki yok",
    ),
    "77": Answer(
        F,
        Category.CREDENTIALS,
        "The account may not send messages: its system is closed",
        "Mesaj Gönderme yetkiniz yok. Sistemi kapalı",
    ),
    "80": Answer(F, Category.CONTENT, "Characters Jet SMS cannot send", "İstenmeyen SMS karakteri"),
    "81": Answer(
        F,
        Category.UNKNOWN,
        "Message count and recipient count differ (web service)",
        "Mesaj sayısı ile receipt sayısı uyumsuz",
    ),
    "84": Answer(
        F,
        Category.UNKNOWN,
        "Message or recipient count is zero (web service)",
        "Mesaj sayısı ya da receipt sayısı sıfır geldi",
    ),
    "85": Answer(
        F,
        Category.CONTENT,
        "Text longer than the account's maximum length (160, 306, 459 or 612)",
        "Mesaj boyu hesabın azami mesaj boyundan uzun",
    ),
    "86": Answer(
        F,
        Category.UNKNOWN,
        "Message header longer than 40 characters (web service)",
        "Message Header 40 dan büyük geldi",
    ),
    "87": Answer(
        F,
        Category.UNKNOWN,
        "Message header count is zero (web service)",
        "Message Header sayısı 0 olamaz",
    ),
    "88": Answer(
        F,
        Category.UNKNOWN,
        "Message header count and recipient count differ (web service)",
        "Message Header sayısı ile receipt sayısı uyumsuz",
    ),
    "89": Answer(
        F,
        Category.UNKNOWN,
        "Message type other than 0, 1, 2, 3 or 4 (web service)",
        "Messagetype 0,1,2,3 ve 4 den başka bir değer geldi",
    ),
    "90": Answer(
        F, Category.PROVIDER_ERROR, "Jet SMS could not read the XML", "XML kod yapısında hata"
    ),
    "201": Answer(F, Category.UNKNOWN, "MMS: invalid channel", "MMS Geçersiz Kanal Bilgisi"),
    "202": Answer(
        F, Category.UNKNOWN, "MMS: invalid content type", "MMS Geçersiz Content Type Bilgisi"
    ),
    "203": Answer(
        F, Category.CONTENT, "MMS: maximum file size exceeded", "MMS Maksimum Dosya Boyutu Aşıldı"
    ),
    "204": Answer(
        F, Category.RATE_LIMIT, "MMS: sending not allowed at this time", "MMS İzinsiz Zaman Aralığı"
    ),
}


class JetSmsProvider(Provider):
    slug = "jetsms"
    name = "Jet SMS"
    default_priority = 60
    default_base_url = "https://service.jetsms.com.tr"
    description = "Turkish SMS gateway (Biotekno). XML API; approved sender titles (outbox names)."
    username_label = "Username"
    password_label = "Password"
    username_help = "The Jet SMS account user name from the API settings of the Jet SMS panel."
    redacted_names = Provider.redacted_names | {"username", "user"}
    max_recipients_per_request = 1000
    max_text_length = 612
    number_format = "905xxxxxxxxx"
    recipient_pattern = TURKISH_MOBILE_RE
    recipient_prefix = "90"
    recipient_rule = "Turkish mobile numbers (+90 5xx…)"
    charset = "iso-8859-9"
    charset_rule = "Turkish text (ISO-8859-9), without emoji or Arabic"
    sender_code = "12"
    too_long_code = "85"
    charset_code = "80"
    supports_iys = True
    supports_bulk = True
    default_destinations = ("90",)
    validity_parameter = "expire-date"
    receipts_polled = True  # Jet SMS pushes nothing: the group id's report is asked for
    reports_per_request = True
    extra_option_fields = {
        "iys_list": iys_list_field(),
        "max_length": forms.TypedChoiceField(
            label="Maximum message length",
            choices=[
                (160, "160 (1 SMS)"),
                (306, "306 (2 SMS)"),
                (459, "459 (3 SMS)"),
                (612, "612 (4 SMS)"),
            ],
            coerce=int,
            initial=160,
            help_text="As agreed with Jet SMS for the account; longer text is not sent (code 85).",
        ),
    }

    def text_limit_for(self, connector: Connector) -> int:
        """The maximum length agreed with Jet SMS for the account (the max_length option)."""
        return int((connector.options or {}).get("max_length") or 160)

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """One message as a `smmgsd` request; `00 <id>` is accepted, every other code an error."""
        return one_result(self._send_list(connector, call, [message]))

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Up to 1,000 numbers per `smmgsd` request (`gsmnos` comma list); Jet SMS answers once
        per request, so its answer (and the group id receipts match by) holds for each number."""
        return self.send_lists(messages, lambda chunk: self._send_list(connector, call, chunk))

    def _send_list(
        self, connector: Connector, call: Call, messages: list[OutboundSms]
    ) -> list[SendResult]:
        first = messages[0]
        code, rest, status = self._call(
            self.client(connector, call.log),
            connector,
            sender=first.sender,
            numbers=[message.number for message in messages],
            text=first.text,
            iys=self._iys_fields(connector, first),
            expires_at=first.expires_at,
        )
        result = SendResult(
            provider_message_id=rest, code=code, detail=ANSWERS[code].message, http_status=status
        )
        return [result] * len(messages)

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """A request with no numbers: Jet SMS answers 31 when credentials and title are right."""
        sender = connector.default_sender
        client = self.client(connector, log)
        try:
            self._call(client, connector, sender=sender, numbers=[], text="Connection test")
        except ProviderError as error:
            if error.code != "31":
                raise
        return CheckResult(
            ok=True,
            detail=f"Connected: credentials and sender title '{sender}' accepted "
            "(Jet SMS reports no balance).",
        )

    def _iys_fields(self, connector: Connector, message: OutboundSms) -> dict[str, str]:
        """İYS filter of a commercial message (assumed names: see docs/providers.md)."""
        if message.kind != "commercial":
            return {"iysfilter": "0"}
        return {
            "iysfilter": "1",
            "recipienttype": self.iys_recipient_type_for(connector, message),
        }

    def reports_poll(
        self, *, connector: Connector, messages: list[SentSms], call: Call
    ) -> list[Receipt]:
        """ReportSMS per group id (status 5: every number); one row per number."""
        client = self.client(connector, call.log)
        receipts: list[Receipt] = []
        for group_id in sorted({m.provider_message_id for m in messages if m.provider_message_id}):
            answer = client.request(
                "POST",
                REPORT_PATH,
                body=_report_xml(connector, group_id),
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{SOAP_NS}ReportSMS"',
                },
            )
            try:
                root = ElementTree.fromstring(answer.text)  # noqa: S314 (expat: no entities)
            except ElementTree.ParseError:
                root = None
            if answer.status != 200 or root is None:
                raise ProviderError(
                    Category.UNKNOWN,
                    f"Jet SMS answered the report query with HTTP {answer.status}.",
                    http_status=answer.status,
                )
            for row in root.iter(f"{{{SOAP_NS}}}ReportSMSResult"):
                phone, status = (
                    row.findtext(f"{{{SOAP_NS}}}Phone"),
                    row.findtext(f"{{{SOAP_NS}}}Status"),
                )
                if phone is None or status is None:
                    continue  # the wrapping array element
                receipts.append(
                    Receipt(
                        state=REPORT_STATES.get(status.strip(), DeliveryState.PENDING),
                        provider_message_id=group_id,
                        number=e164_from(phone, national_prefix="90"),
                        code=status.strip(),
                        raw=ElementTree.tostring(row, encoding="unicode"),
                    )
                )
        return receipts

    def _call(
        self,
        client: ProviderClient,
        connector: Connector,
        *,
        sender: str,
        numbers: list[str],
        text: str,
        iys: dict[str, str] | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[str, str, int]:
        """Post one smmgsd request; return (code, rest, HTTP status) of an accepting answer."""
        answer = client.request(
            "POST",
            SEND_PATH,
            body=_xml(
                connector,
                sender=sender,
                numbers=numbers,
                text=text,
                iys=iys or {},
                expires_at=expires_at,
            ),
            headers={"Content-Type": "text/xml; charset=UTF-8"},
        )
        code, _, rest = answer.text.strip().partition(" ")
        entry = ANSWERS.get(code)
        if answer.status != 200 or entry is None:
            raise ProviderError(
                Category.UNKNOWN,
                f"Jet SMS gave an answer that is not in its code table (HTTP {answer.status}): "
                f"{answer.text.strip()[:200]!r}",
                code=code if entry else "",
                http_status=answer.status,
            )
        if entry.outcome != Outcome.ACCEPTED:
            raise answer_error(
                entry,
                code=code,
                detail=rest.strip(),
                http_status=answer.status,
            )
        return code, rest.strip(), answer.status


def expire_date(expires_at: datetime | None) -> str:
    """expire-date as Jet SMS reads it; the minute is rounded down, so nothing goes out late.

    "" leaves Jet SMS's own default validity.
    """
    return "" if expires_at is None else expires_at.astimezone(JET_TIME_ZONE).strftime(DATE_FORMAT)


def _xml(
    connector: Connector,
    *,
    sender: str,
    numbers: list[str],
    text: str,
    expires_at: datetime | None = None,
    iys: dict[str, str] | None = None,
) -> str:
    """A `message-context` of type smmgsd (one text, many numbers), escaped by ElementTree."""
    root = ElementTree.Element("message-context", type="smmgsd")
    for name, value in (
        ("username", connector.username),
        ("password", connector.password),
        ("outbox-name", sender),
        ("reference", ""),
        ("start-date", ""),
        ("expire-date", expire_date(expires_at)),
        ("text", text),
        ("gsmnos", ",".join(numbers)),
        *(iys or {}).items(),
    ):
        ElementTree.SubElement(root, name).text = value
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )


def _report_xml(connector: Connector, group_id: str) -> str:
    """A SOAP 1.1 ReportSMS request for one group id."""
    envelope = ElementTree.Element(
        "soap:Envelope", {"xmlns:soap": "http://schemas.xmlsoap.org/soap/envelope/"}
    )
    report = ElementTree.SubElement(
        ElementTree.SubElement(envelope, "soap:Body"), "ReportSMS", xmlns=SOAP_NS
    )
    for name, value in (
        ("user", connector.username),
        ("password", connector.password),
        ("groupid", group_id),
        ("status", "5"),
    ):
        ElementTree.SubElement(report, name).text = value
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        envelope, encoding="unicode"
    )
