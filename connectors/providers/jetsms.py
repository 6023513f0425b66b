"""Jet SMS (Turkey): the XML API at /SMS-Web8/xmlsms, answering `<code> <text>`."""

from __future__ import annotations

from typing import TYPE_CHECKING
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
    from connectors.providers.http import ProviderClient

SEND_PATH = "/SMS-Web8/xmlsms"
A, F = Outcome.ACCEPTED, Outcome.FAILED

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
    redacted_names = Provider.redacted_names | {"username"}
    max_recipients_per_request = 1000
    max_text_length = 612
    number_format = "905xxxxxxxxx"
    extra_option_fields = {
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

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """One message as a `smmgsd` request; `00 <id>` is accepted, every other code an error."""
        sender = self.sender_for(connector, message)
        number = "90" + turkish_mobile(self.name, message.to)
        limit = self.text_limit_for(connector)
        if len(message.text) > limit:
            raise CannotCarry(
                Category.CONTENT,
                f"The text has {len(message.text)} characters; this connector carries at most "
                f"{limit} (Jet SMS would answer code 85).",
                code="85",
            )
        if not _latin5(message.text):
            raise CannotCarry(
                Category.CONTENT,
                "The text has characters outside Jet SMS's Turkish character set (ISO-8859-9), "
                "such as emoji or Arabic (Jet SMS would answer code 80).",
                code="80",
            )
        client = self.client(connector)
        code, rest, status = self._call(
            client, connector, sender=sender, numbers=[number], text=message.text
        )
        return SendResult(
            provider_message_id=rest,
            code=code,
            detail=ANSWERS[code].message,
            http_status=status,
            exchanges=client.exchanges,
        )

    def check(self, *, connector: Connector) -> CheckResult:
        """A request with no numbers: Jet SMS answers 31 when credentials and title are right."""
        sender = connector.default_sender
        client = self.client(connector)
        try:
            self._call(client, connector, sender=sender, numbers=[], text="Connection test")
        except ProviderError as error:
            if error.code != "31":
                raise
        return CheckResult(
            ok=True,
            detail=f"Connected: credentials and sender title '{sender}' accepted "
            "(Jet SMS reports no balance).",
            exchanges=client.exchanges,
        )

    def _call(
        self,
        client: ProviderClient,
        connector: Connector,
        *,
        sender: str,
        numbers: list[str],
        text: str,
    ) -> tuple[str, str, int]:
        """Post one smmgsd request; return (code, rest, HTTP status) of an accepting answer."""
        answer = client.request(
            "POST",
            SEND_PATH,
            body=_xml(connector, sender=sender, numbers=numbers, text=text),
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
                exchanges=client.exchanges,
            )
        if entry.outcome != Outcome.ACCEPTED:
            raise answer_error(
                entry,
                code=code,
                detail=rest.strip(),
                http_status=answer.status,
                exchanges=client.exchanges,
            )
        return code, rest.strip(), answer.status


def _latin5(text: str) -> bool:
    try:
        text.encode("iso-8859-9")
    except UnicodeEncodeError:
        return False
    return True


def _xml(connector: Connector, *, sender: str, numbers: list[str], text: str) -> str:
    """A `message-context` of type smmgsd (one text, many numbers), escaped by ElementTree."""
    root = ElementTree.Element("message-context", type="smmgsd")
    for name, value in (
        ("username", connector.username),
        ("password", connector.password),
        ("outbox-name", sender),
        ("reference", ""),
        ("start-date", ""),
        ("expire-date", ""),
        ("text", text),
        ("gsmnos", ",".join(numbers)),
    ):
        ElementTree.SubElement(root, name).text = value
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )
