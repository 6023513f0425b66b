"""Mobildev (Turkey): raw XML `MainmsgBody` posted to /com.mobilus, plain-text answers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from django import forms

from connectors.providers.base import TURKISH_MOBILE_RE, Provider, e164_from, iys_list_field
from connectors.providers.bulk import one_result
from connectors.providers.http import HttpAnswer, ProviderClient
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

SEND_PATH = "/com.mobilus"
ACCEPTED_RE = re.compile(r"^ID:\s*(\S+)")
CREDIT_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
F = Outcome.FAILED

# Codes of the plain-text answer, as Mobildev's XML API documentation lists them (smsdeveloper.net,
# "XML Api Hata Kodları"); two client libraries carry the same table.
ANSWERS: dict[str, Answer] = {
    "01": Answer(
        F,
        Category.CREDENTIALS,
        "Wrong user name, password or company code",
        "Hatalı Kullanıcı Adı, Hatalı Şifre, Hatalı Bayi Kodu",
    ),
    "02": Answer(F, Category.BALANCE, "Not enough credit", "Yetersiz kredi"),
    "03": Answer(F, Category.UNKNOWN, "Mobildev does not know the Action", "Tanımsız Action"),
    "04": Answer(F, Category.UNKNOWN, "Mobildev received no XML", "Gelen XML yok"),
    "05": Answer(
        F, Category.UNKNOWN, "An XML element is missing or wrong", "XML düğümü eksik ya da hatalı"
    ),
    "06": Answer(
        F, Category.SENDER, "The originator is not defined on the account", "Tanımsız Orijinatör"
    ),
    "07": Answer(F, Category.UNKNOWN, "No message id given", "Mesaj kodu (ID) yok"),
    "08": Answer(
        F, Category.UNKNOWN, "No messages between the dates", "Verilen tarihler arasında SMS yok"
    ),
    "09": Answer(
        F, Category.CONTENT, "The date fields are empty or wrong", "Tarih alanları hatalı"
    ),
    "10": Answer(F, Category.PROVIDER_ERROR, "Mobildev could not send", "SMS gönderilemedi"),
    "11": Answer(
        F, Category.PROVIDER_ERROR, "Mobildev had an unidentified error", "Tanımlanamayan hata"
    ),
    "12": Answer(F, Category.CREDENTIALS, "The account lacks admin rights", "Admin yetkisi yok"),
    "13": Answer(F, Category.CREDENTIALS, "The user to report on does not exist", "Kullanıcı yok"),
}
UNREADABLE = Answer(F, Category.UNKNOWN, "Mobildev answered with something undocumented")
# The report (MainReportRoot, Action 3 with the MsgID) answers a line per number, "<number>
# <status>"; the line format and these statuses are assumed (docs/providers.md). Any other status
# leaves the message pending.
REPORT_LINE_RE = re.compile(r"^\s*(\+?\d{10,15})\s*[ ,;:|\t]\s*(-?\d+)\s*$")
REPORT_STATES = {"1": DeliveryState.DELIVERED, "2": DeliveryState.UNDELIVERED}


class MobildevProvider(Provider):
    slug = "mobildev"
    name = "Mobildev"
    default_priority = 20
    default_base_url = "https://secure.mobilus.net"
    description = (
        "Turkish SMS gateway (Mobilus XML API). You need the user name, password and company "
        "code Mobildev gave you."
    )
    username_label = "User name"
    password_label = "Password"
    username_help = "Your Mobildev user name alone, without the company code (e.g. acme)."
    password_help = "The password of that Mobildev user."
    max_recipients_per_request = 1000  # assumed: Mobildev documents no count (providers.md)
    supports_bulk = True
    max_text_length = 1000
    number_format = "05xxxxxxxxx"
    recipient_pattern = TURKISH_MOBILE_RE
    recipient_prefix = "0"
    recipient_rule = "Turkish mobile numbers (+90 5xx…)"
    sender_code = "06"
    supports_iys = True
    default_destinations = ("90",)
    receipts_polled = True
    extra_option_fields = {
        "iys_list": iys_list_field(),
        "company_code": forms.CharField(
            label="Company code",
            max_length=20,
            help_text=(
                "The company (dealer) code from Mobildev, e.g. mb1000. Mobildev signs you in as "
                "user name, a dash and this code (acme-mb1000)."
            ),
        ),
    }

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """A MainmsgBody with Action 0; `ID:<id>` is accepted, a two-digit code is an error."""
        return one_result(self._send_list(connector, call, [message]))

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Up to 1,000 numbers per Action 0 request (`Numbers` comma list); Mobildev answers one
        id for the request (its report has a line per number) or one code."""
        return self.send_lists(messages, lambda chunk: self._send_list(connector, call, chunk))

    def _send_list(
        self, connector: Connector, call: Call, messages: list[OutboundSms]
    ) -> list[SendResult]:
        first = messages[0]
        body = _xml(
            "MainmsgBody",
            connector,
            Action="0",
            Mesgbody=first.text,
            Numbers=",".join(message.number for message in messages),
            Originator=first.sender,
            SDate="",
            **self._iys_fields(connector, first),
        )
        answer = self._post(self.client(connector, call.log), body)
        if found := ACCEPTED_RE.match(answer.text.strip()):
            result = SendResult(
                provider_message_id=found.group(1), code="ID", http_status=answer.status
            )
            return [result] * len(messages)
        raise _error(answer)

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """Ask for the user info (report action 4): proves the credentials, tells the credit.

        The answer is the credit on the first line, then one approved originator per line.
        """
        try:
            answer = self._post(
                self.client(connector, log), _xml("MainReportRoot", connector, Action="4")
            )
            credit, *originators = [line.strip() for line in answer.text.strip().split("\n")]
            # A lone documented code is an error: the info answer of an account with 10 to 13
            # credits and no originator would read the same, and cannot be told apart.
            if not CREDIT_RE.match(credit) or (not originators and credit in ANSWERS):
                raise _error(answer)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail)
        approved = [name for name in originators if name]
        missing = [title for title in connector.sender_list or [] if title not in approved]
        detail = f"The credentials work. Approved originators: {', '.join(approved) or 'none'}."
        if missing:
            detail += f" Not approved at Mobildev: {', '.join(missing)}."
        return CheckResult(ok=True, detail=detail, balance=f"{credit} credits")

    def _iys_fields(self, connector: Connector, message: OutboundSms) -> dict[str, str]:
        """İYS message type (and recipient type for campaigns); assumed names, see providers.md."""
        if message.kind != "commercial":
            return {"IysMessageType": "NOTIFICATION"}
        return {
            "IysMessageType": "CAMPAIGN",
            "IysRecipientType": self.iys_recipient_type_for(connector, message),
        }

    def reports_poll(
        self, *, connector: Connector, messages: list[SentSms], call: Call
    ) -> list[Receipt]:
        """The report of each message id (Action 3): a line per number and its status."""
        client = self.client(connector, call.log)
        receipts: list[Receipt] = []
        for message_id in sorted(
            {m.provider_message_id for m in messages if m.provider_message_id}
        ):
            answer = self._post(
                client, _xml("MainReportRoot", connector, Action="3", MsgID=message_id)
            )
            lines = [line for line in answer.text.strip().splitlines() if line.strip()]
            if len(lines) == 1 and lines[0].strip() in ANSWERS:
                raise _error(answer)
            for line in lines:
                if found := REPORT_LINE_RE.match(line):
                    receipts.append(
                        Receipt(
                            state=REPORT_STATES.get(found.group(2), DeliveryState.PENDING),
                            provider_message_id=message_id,
                            number=e164_from(found.group(1), national_prefix="90"),
                            code=found.group(2),
                            raw=line.strip(),
                        )
                    )
        return receipts

    @staticmethod
    def _post(client: ProviderClient, body: str) -> HttpAnswer:
        return client.request(
            "POST", SEND_PATH, body=body, headers={"Content-Type": "text/xml; charset=utf-8"}
        )


def _xml(root_name: str, connector: Connector, **fields: str) -> str:
    root = ElementTree.Element(root_name)
    company = (connector.options or {}).get("company_code", "")
    for name, value in {
        "UserName": f"{connector.username}-{company}",
        "PassWord": connector.password,
        **fields,
    }.items():
        ElementTree.SubElement(root, name).text = value
    return '<?xml version="1.0" encoding="UTF-8"?>' + ElementTree.tostring(root, encoding="unicode")


def _error(answer: HttpAnswer) -> ProviderError:
    code = answer.text.strip()[:2]
    return answer_error(ANSWERS.get(code, UNREADABLE), code=code, http_status=answer.status)
