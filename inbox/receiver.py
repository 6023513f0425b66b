"""The jtel-compatible /SMSReceiver endpoint: GET or POST, no login, plain-text answers."""

import codecs
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from inbox.services import ReceiveRefused, inbound_message_receive
from inbox.throttle import (
    receiver_is_throttled,
    receiver_record_bad_token,
    seconds_to_window_end,
)

logger = logging.getLogger(__name__)

RECEIVER_ALIASES = ("receiver", "ziel", "system")
SENDER_ALIASES = ("sender", "absender")
MESSAGE_ALIASES = ("message", "data", "smstext")


def _answer(status: int, text: str) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


def _parameters(request: HttpRequest) -> dict[str, str]:
    """Query and form parameters by lower-case name; the form body wins over the query string."""
    values: dict[str, str] = {}
    sources: list[QueryDict] = [request.GET]
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        # Django accepts only UTF-8 forms; Turkish gateways may post ISO-8859-9 and say so.
        sources.append(QueryDict(request.body, encoding=_charset(request)))
    elif request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        for name, value in source.items():
            if value != "" or name.lower() not in values:
                values[name.lower()] = value
    return values


def _charset(request: HttpRequest) -> str:
    charset = request.content_params.get("charset", "utf-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        raise ReceiveRefused(400, f"Bad Request: unknown charset '{charset[:40]}'.") from None
    return charset


def _first(values: dict[str, str], aliases: tuple[str, ...]) -> str:
    return next((values[name] for name in aliases if values.get(name, "").strip()), "")


def _too_large(request: HttpRequest) -> bool:
    limit = settings.SMSCONSOLE_INBOUND_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if len(request.META.get("QUERY_STRING", "")) > limit or (
        declared.isdigit() and int(declared) > limit
    ):
        return True
    return request.method == "POST" and len(request.body) > limit


@method_decorator(csrf_exempt, name="dispatch")
class SmsReceiverView(View):
    """Receive one SMS from a provider and answer with the documented status code."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._receive(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._receive(request)

    def _receive(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR, as in the audit log: a proxy must pass the client's address there.
        address = request.META.get("REMOTE_ADDR", "")
        if receiver_is_throttled(address=address):
            answer = _answer(
                429, "Too Many Requests: too many wrong tokens from this address; try again later."
            )
            answer["Retry-After"] = str(seconds_to_window_end())
            return answer
        if _too_large(request):
            limit_kb = settings.SMSCONSOLE_INBOUND_MAX_BYTES // 1024
            return _answer(400, f"Bad Request: the request is larger than {limit_kb} KB.")
        try:
            values = _parameters(request)
            message = inbound_message_receive(
                receiver=_first(values, RECEIVER_ALIASES),
                sender=_first(values, SENDER_ALIASES),
                text=_first(values, MESSAGE_ALIASES),
                keyword=values.get("keyword", ""),
                token=values.get("token", "").strip(),
            )
        except ReceiveRefused as refused:
            if refused.status == 401:
                receiver_record_bad_token(address=address)
            return _answer(refused.status, refused.message)
        except Exception:
            # The provider only sees the status; the cause goes to the server log.
            logger.exception("Inbound SMS could not be processed.")
            return _answer(
                500, "Internal Server Error: the message was not stored; see the server log."
            )
        return _answer(200, f"OK: stored as message {message.pk}.")
