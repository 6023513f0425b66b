"""What every provider declares and implements, and the one preflight of every message."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connectors.providers.bulk import ListSender, send_in_lists
from connectors.providers.http import ProviderClient, Redactor, url_allowed_error
from connectors.providers.types import (
    ANY_DESTINATION,
    IYS_RECIPIENT_TYPES,
    BulkItem,
    Call,
    CannotCarry,
    Category,
    CheckResult,
    Exchange,
    MessageExpired,
    OutboundSms,
    ProviderError,
    Receipt,
    ReceiptRequest,
    SendResult,
    SentSms,
)

if TYPE_CHECKING:
    from connectors.models import Connector

# Turkish mobile numbers in E.164; the group is the ten digits 5xxxxxxxxx.
TURKISH_MOBILE_RE = re.compile(r"^\+90(5\d{9})$")


class Provider:
    """Base of every provider: declarations first, then send/check."""

    slug: ClassVar[str]
    name: ClassVar[str]
    default_priority: ClassVar[int]
    default_base_url: ClassVar[str]
    description: ClassVar[str] = ""
    username_label: ClassVar[str] = "Username"
    password_label: ClassVar[str] = "Password"
    username_help: ClassVar[str] = ""
    password_help: ClassVar[str] = ""
    # Option fields beyond base_url and timeout_seconds, as Django form fields.
    extra_option_fields: ClassVar[dict[str, forms.Field]] = {}
    # Request parameter / header / XML element names whose values are redacted in exchange logs.
    redacted_names: ClassVar[frozenset[str]] = frozenset(
        {"password", "authorization", "token", "key", "hash", "apikey", "api_key"}
    )
    max_sender_length: ClassVar[int] = 11
    max_recipients_per_request: ClassVar[int] = 1
    max_text_length: ClassVar[int] = 1600  # characters the provider takes in one message
    number_format: ClassVar[str] = "E.164"
    supports_client_id: ClassVar[bool] = False
    supports_bulk: ClassVar[bool] = False
    # Whether the adapter has the provider check İYS consent for commercial messages (Turkey).
    supports_iys: ClassVar[bool] = False
    # Calling-code prefixes a new connector carries ("any" = every country); editable per connector.
    default_destinations: ClassVar[tuple[str, ...]] = (ANY_DESTINATION,)
    # The provider's own request field for how long a message may wait to be sent ("" when it
    # takes none); adapters that name one pass what is left of the message's validity in it.
    validity_parameter: ClassVar[str] = ""
    # The recipients the provider carries, as a pattern on the E.164 number whose group is the
    # number as sent (after recipient_prefix), and in words; None carries every number as it is.
    recipient_pattern: ClassVar[re.Pattern[str] | None] = None
    recipient_prefix: ClassVar[str] = ""
    recipient_rule: ClassVar[str] = ""
    # The character set every text must fit, as a Python codec and in words ("Turkish text
    # (ISO-8859-9), without emoji or Arabic"); "" takes any text.
    charset: ClassVar[str] = ""
    charset_rule: ClassVar[str] = ""
    # The provider's own answer codes for what preflight refuses, where its answer table has one.
    sender_code: ClassVar[str] = ""
    recipient_code: ClassVar[str] = ""
    too_long_code: ClassVar[str] = ""
    charset_code: ClassVar[str] = ""
    # Delivery reports: whether the provider pushes them to the connector's receipt URL and
    # whether it answers report queries (neither: messages stay pending, then unknown).
    receipts_pushed: ClassVar[bool] = False
    receipts_polled: ClassVar[bool] = False
    report_batch: ClassVar[int] = 100  # pending messages asked about per reports_poll call
    # The report query names one sent request (its provider message id) and answers for all its
    # numbers: a reports_poll call then gets all the pending messages of one request, whatever
    # report_batch says.
    reports_per_request: ClassVar[bool] = False

    # -- declarations ---------------------------------------------------------------------------

    def option_fields(self) -> dict[str, forms.Field]:
        """Every option field, base ones first."""
        return {
            "base_url": forms.URLField(
                label=_("Base URL"),
                initial=self.default_base_url,
                help_text=_("Scheme and host of the provider API; the documented paths are kept."),
                assume_scheme="https",
            ),
            "timeout_seconds": forms.IntegerField(
                label=_("Timeout (seconds)"),
                initial=10,
                min_value=1,
                max_value=30,
                help_text=_("How long to wait for the provider before trying the next connector."),
            ),
            "max_per_second": forms.IntegerField(
                label=_("Max requests per second"),
                required=False,
                min_value=1,
                max_value=1000,
                help_text=_(
                    "Provider requests per second; a bulk request counts once. Leave empty "
                    "for no limit. Shared by every worker sending through this connector."
                ),
            ),
            **self.extra_option_fields,
        }

    def default_options(self) -> dict[str, Any]:
        """Options of a new connector."""
        return {
            name: f.initial for name, f in self.option_fields().items() if f.initial is not None
        }

    def clean_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Validate options; raise ValidationError with a message per bad option."""
        options = options or {}
        fields = self.option_fields()
        unknown = sorted(set(options) - set(fields))
        data = {**self.default_options(), **{k: v for k, v in options.items() if k in fields}}
        form = forms.Form(data={k: "" if v is None else v for k, v in data.items()})
        form.fields = dict(fields)
        errors: dict[str, list[str]] = {}
        if not form.is_valid():
            errors = {f"options.{name}": list(msgs) for name, msgs in form.errors.items()}
        if unknown:
            errors["options"] = [
                gettext("Unknown option(s) for %(provider)s: %(options)s.")
                % {"provider": self.name, "options": ", ".join(unknown)}
            ]
        # A provider that does not speak HTTP (SMPP) declares no base_url.
        if (
            not errors
            and "base_url" in fields
            and (problem := url_allowed_error(form.cleaned_data["base_url"]))
        ):
            errors["options.base_url"] = [problem]
        if errors:
            raise ValidationError(errors)
        return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}

    def limits(self) -> dict[str, Any]:
        """What the API and the compose page tell about this provider."""
        return {
            "max_sender_length": self.max_sender_length,
            "max_recipients_per_request": self.max_recipients_per_request,
            "max_text_length": self.max_text_length,
            "number_format": self.number_format,
            "supports_bulk": self.supports_bulk,
            "supports_iys": self.supports_iys,
            "default_destinations": list(self.default_destinations),
            "validity_parameter": self.validity_parameter,
        }

    # -- helpers for adapters -------------------------------------------------------------------

    def client(
        self, connector: Connector, log: list[Exchange], *, extra_secrets: tuple[str, ...] = ()
    ) -> ProviderClient:
        """An HTTP client bound to the connector that records its exchanges in the caller's log."""
        options = connector.options or {}
        return ProviderClient(
            base_url=options.get("base_url") or self.default_base_url,
            timeout=float(options.get("timeout_seconds") or 10),
            secrets=(connector.username, connector.password, *extra_secrets),
            redacted_names=self.redacted_names,
            log=log,
        )

    def iys_recipient_type_for(self, connector: Connector, message: OutboundSms) -> str:
        """BIREYSEL or TACIR: the message's own type, else the connector's default option."""
        return (
            message.iys_recipient_type
            or (connector.options or {}).get("iys_list")
            or IYS_RECIPIENT_TYPES[0]
        )

    def text_limit_for(self, connector: Connector) -> int:
        """Characters this connector carries in one message (connector options may lower it)."""
        return self.max_text_length

    # -- preflight: can this connector carry this message? (decided without the network) ---------

    def preflight(self, connector: Connector, message: OutboundSms) -> OutboundSms:
        """The message ready for send: sender title chosen, number as the provider takes it.

        Raises CannotCarry, with the provider's own code where it has one, when the connector
        cannot carry the message (MessageExpired once its validity ran out); nothing is sent then.
        """
        if message.expired:
            raise MessageExpired(message)
        sender = self.sender_for(connector, message)
        number = self.recipient_for(message.to)
        self.preflight_text(connector, message.text)
        return replace(message, sender=sender, number=number)

    def sender_for(self, connector: Connector, message: OutboundSms) -> str:
        """The sender title to use: the requested one if the connector lists it, else its first."""
        titles = list(connector.sender_list or [])
        if message.sender and message.sender not in titles:
            raise CannotCarry(
                Category.SENDER,
                gettext("Sender title '%(sender)s' is not in this connector's approved list.")
                % {"sender": message.sender},
                code=self.sender_code,
            )
        sender = message.sender or (titles[0] if titles else "")
        if not sender:
            raise CannotCarry(
                Category.SENDER,
                gettext("The connector has no sender title configured."),
                code=self.sender_code,
            )
        # The limit is on alphanumeric titles (11 in GSM); a numeric sender is a phone number.
        if not sender.lstrip("+").isdigit() and len(sender) > self.max_sender_length:
            raise CannotCarry(
                Category.SENDER,
                gettext(
                    "Sender title '%(sender)s' is longer than the %(limit)s characters "
                    "%(provider)s takes."
                )
                % {"sender": sender, "limit": self.max_sender_length, "provider": self.name},
                code=self.sender_code,
            )
        return sender

    def recipient_for(self, e164: str) -> str:
        """The number as the provider is sent it; CannotCarry for a number it does not carry."""
        if self.recipient_pattern is None:
            return e164
        match = self.recipient_pattern.match(e164)
        if not match:
            raise CannotCarry(
                Category.RECIPIENT,
                gettext("%(provider)s carries %(rule)s only, not %(number)s.")
                % {"provider": self.name, "rule": self.recipient_rule, "number": e164},
                code=self.recipient_code,
            )
        return self.recipient_prefix + match.group(1)

    def preflight_text(self, connector: Connector, text: str) -> None:
        """CannotCarry when the text is too long for the connector or outside its character set."""
        limit = self.text_limit_for(connector)
        if len(text) > limit:
            raise CannotCarry(
                Category.CONTENT,
                gettext(
                    "The text has %(length)s characters; this connector carries at most %(limit)s"
                )
                % {"length": len(text), "limit": limit}
                + self._would_answer(self.too_long_code)
                + ".",
                code=self.too_long_code,
            )
        if self.charset and not text_fits(text, self.charset):
            raise CannotCarry(
                Category.CONTENT,
                gettext("The text has characters %(provider)s cannot carry: it takes %(rule)s")
                % {"provider": self.name, "rule": self.charset_rule}
                + self._would_answer(self.charset_code)
                + ".",
                code=self.charset_code,
            )

    def _would_answer(self, code: str) -> str:
        if not code:
            return ""
        return " " + gettext("(%(provider)s would answer code %(code)s)") % {
            "provider": self.name,
            "code": code,
        }

    # -- behaviour ------------------------------------------------------------------------------

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """Send one preflighted message; raise ProviderError when it is not accepted.

        Every exchange is appended to the caller's log (call.log) as it happens.
        """
        raise NotImplementedError

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Send preflighted messages sharing one text in as few requests as the provider allows."""
        items = []
        for message in messages:
            try:
                result = self.send(connector=connector, message=message, call=call)
                items.append(BulkItem(message, result=result))
            except ProviderError as error:
                items.append(BulkItem(message, error=error))
        return items

    def send_lists(
        self, messages: list[OutboundSms], send_list: ListSender, *, size: int = 0
    ) -> list[BulkItem]:
        """send_bulk for a provider that takes a list of numbers: one request per list of at
        most `size` (else max_recipients_per_request), an outcome per message (bulk.py)."""
        return send_in_lists(
            messages,
            send_list,
            size=size or self.max_recipients_per_request,
            by_validity=bool(self.validity_parameter),
        )

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """Test the connection and credentials without sending an SMS."""
        raise NotImplementedError

    # -- delivery reports -----------------------------------------------------------------------

    def sends_receipts(self, connector: Connector) -> bool:
        """Whether this connector gets delivery reports at all (pushed or by report queries)."""
        return self.receipts_pushed or self.receipts_polled

    def receipt_verify(self, connector: Connector, request: ReceiptRequest, *, url: str) -> None:
        """Raise ReceiptRefused when a pushed receipt fails the provider's own check (signature).

        `url` is the receipt URL the provider was given. The token in it was checked already.
        """

    def receipt_parse(self, connector: Connector, request: ReceiptRequest) -> list[Receipt]:
        """The receipts in a pushed body; ValueError when it is not the provider's shape."""
        raise ValueError(f"{self.name} pushes no delivery reports.")

    def reports_poll(
        self, *, connector: Connector, messages: list[SentSms], call: Call
    ) -> list[Receipt]:
        """Ask the provider about pending messages (at most report_batch): their receipts so far.

        Raises ProviderError when the provider cannot be asked; the next poll asks again.
        """
        return []

    def redact(self, connector: Connector, text: str) -> str:
        """Text from the provider with the connector's secrets redacted, as exchanges are."""
        return Redactor((connector.username, connector.password), self.redacted_names).text(text)


def e164_from(number: str, *, national_prefix: str = "") -> str:
    """A number from a provider's receipt in E.164: digits with or without "+", or a national
    number the provider writes without its country code (national_prefix, e.g. "90")."""
    digits = "".join(character for character in number if character.isdigit())
    if not digits:
        return ""
    if national_prefix and not digits.startswith(national_prefix):
        digits = national_prefix + digits.lstrip("0")
    return "+" + digits


def iys_list_field() -> forms.ChoiceField:
    """The İYS recipient-type option of a provider that checks İYS (a message's own type wins)."""
    return forms.ChoiceField(
        label=_("Default İYS recipient type"),
        choices=[("BIREYSEL", _("BIREYSEL (individuals)")), ("TACIR", _("TACIR (merchants)"))],
        initial="BIREYSEL",
        help_text=_(
            "Commercial messages are checked against İYS consent in this list, unless the "
            "message, its template or its campaign names one."
        ),
    )


def text_fits(text: str, codec: str) -> bool:
    """Whether every character of the text has a code in this character set (a Python codec)."""
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True
