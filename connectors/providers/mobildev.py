"""Mobildev (Turkey): raw XML `MainmsgBody` posted to /com.mobilus, plain-text answers."""

from __future__ import annotations

import re
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
)

if TYPE_CHECKING:
    from connectors.models import Connector
    from connectors.providers.http import HttpAnswer, ProviderClient

SEND_PATH = "/com.mobilus"
TURKISH_MOBILE_RE = re.compile(r"^\+90(5\d{9})$")
ACCEPTED_RE = re.compile(r"^ID:\s*(\S+)")
CREDIT_RE = re.compile(r"^Credit:\s*([\d.,]+)", re.I)
F = Outcome.FAILED

# Codes of the plain-text answer (01, 02, 10 seen in client code; the rest from PHP samples).
ANSWERS: dict[str, Answer] = {
    "01": Answer(
        F,
        Category.CREDENTIALS,
        "Wrong user name, company code or password",
        "Kullanıcı adı ya da şifre hatalı",
    ),
    "02": Answer(F, Category.BALANCE, "Not enough credit", "Kredisi yeterli değil"),
    "03": Answer(F, Category.CONTENT, "Invalid content", "Geçersiz içerik"),
    "04": Answer(F, Category.CONTENT, "Unknown message type (Action)", "Bilinmeyen SMS tipi"),
    "05": Answer(F, Category.SENDER, "Wrong or unapproved originator", "Hatalı gönderen ismi"),
    "06": Answer(
        F,
        Category.RECIPIENT,
        "No text or no numbers given",
        "Mesaj metni ya da alıcı bilgisi girilmemiş",
    ),
    "10": Answer(F, Category.PROVIDER_ERROR, "Mobildev could not send", "Gönderilemedi"),
}
UNREADABLE = Answer(F, Category.UNKNOWN, "Mobildev answered with something undocumented")


class MobildevProvider(Provider):
    slug = "mobildev"
    name = "Mobildev"
    default_priority = 20
    default_base_url = "https://secure.mobilus.net"
    description = (
        "Turkish SMS gateway (Mobilus XML API). Needs the company (dealer) code with the user name."
    )
    username_label = "User name"
    password_label = "Password"
    username_help = "Your Mobildev user name, without the company code."
    max_recipients_per_request = 1000
    max_text_length = 1000
    number_format = "05xxxxxxxxx"
    extra_option_fields = {
        "company_code": forms.CharField(
            label="Company code",
            max_length=20,
            help_text="The dealer/company code Mobildev gave you; sent as <user>-<company code>.",
        ),
    }

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        sender = self.sender_for(connector, message)
        match = TURKISH_MOBILE_RE.match(message.to)
        if not match:
            raise CannotCarry(
                Category.RECIPIENT, "Mobildev sends to Turkish mobile numbers (+905…) only."
            )
        client = self.client(connector)
        body = _xml(
            "MainmsgBody",
            connector,
            Action="0",
            Mesgbody=message.text,
            Numbers="0" + match.group(1),
            Originator=sender,
            SDate="",
        )
        answer = self._post(client, body)
        if found := ACCEPTED_RE.match(answer.text.strip()):
            return SendResult(
                provider_message_id=found.group(1),
                code="ID",
                http_status=answer.status,
                exchanges=client.exchanges,
            )
        raise _error(answer, client)

    def check(self, *, connector: Connector) -> CheckResult:
        """Ask for the account info (report action 4): proves the credentials, tells the credit."""
        client = self.client(connector)
        try:
            answer = self._post(client, _xml("MainReportRoot", connector, Action="4"))
            found = CREDIT_RE.match(answer.text.strip())
            if not found:
                raise _error(answer, client)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail, exchanges=client.exchanges)
        return CheckResult(
            ok=True,
            detail="The credentials work.",
            balance=f"{found.group(1)} credits",
            exchanges=client.exchanges,
        )

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


def _error(answer: HttpAnswer, client: ProviderClient) -> ProviderError:
    code = answer.text.strip()[:2]
    return answer_error(
        ANSWERS.get(code, UNREADABLE),
        code=code,
        http_status=answer.status,
        exchanges=client.exchanges,
    )
