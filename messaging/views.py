"""Messaging console pages: compose, the message log (filters, keyset pages, CSV), detail."""

import csv
import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from accounts.permissions import ConsolePermissionMixin
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.types import ReceiptRefused, ReceiptRequest
from connectors.selectors import connector_for_receipts
from core.pagination import keyset_page_for
from core.phone import number_or_none
from messaging.filters import MessageFilter
from messaging.forms import ComposeForm
from messaging.models import Message
from messaging.routing.compliance import footer_for, text_with_footer
from messaging.selectors import (
    delivery_reports_unmatched,
    message_callbacks,
    message_delivery_reports,
    message_get,
    message_list,
    message_timeline,
    text_preview,
)
from messaging.services import delivery_report_store, message_create

CSV_COLUMNS = [
    ("id", "id"),
    ("created_at", "created_at"),
    ("to", "to"),
    ("sender", "sender"),
    ("kind", "kind"),
    ("status", "status"),
    ("encoding", "encoding"),
    ("segments", "segments"),
    ("connector", "connector__name"),
    ("provider_message_id", "provider_message_id"),
    ("error_category", "error_category"),
    ("error_code", "error_code"),
    ("error_detail", "error_detail"),
    ("sent_at", "sent_at"),
    ("text", "text"),
    ("campaign", "campaign_recipient__campaign__name"),
    ("delivery_state", "delivery_state"),
    ("delivered_at", "delivered_at"),
    ("delivery_code", "delivery_code"),
]


def _message_or_404(message_id: int) -> Message:
    try:
        return message_get(message_id=message_id)
    except Message.DoesNotExist:
        raise Http404(_("No message %(id)s.") % {"id": message_id}) from None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class ComposeView(ConsolePermissionMixin, View):
    permission_required = "messaging.add_message"

    def get(self, request):
        sent = None
        if sent_id := _int_or_none(request.GET.get("sent")):
            sent = Message.objects.filter(pk=sent_id).first()
        return self._render(request, ComposeForm(), sent=sent)

    def post(self, request):
        form = ComposeForm(request.POST)
        if form.is_valid() and (message := form.call_service(message_create, **form.cleaned_data)):
            return redirect(f"{reverse('messaging:compose')}?sent={message.pk}")
        return self._render(request, form, status=400)

    def _render(self, request, form, *, sent=None, status=200):
        context = {
            "page_title": _("Compose"),
            "form": form,
            "sent": sent,
            "preview": text_preview(text=form["text"].value() or ""),
        }
        return render(request, "messaging/compose.html", context, status=status)


class ComposeCounterView(ConsolePermissionMixin, View):
    """The live counter: measured on the server with messaging/text.py, so it cannot drift."""

    permission_required = ()  # any role: it only measures a text (compose, inbox replies)

    def get(self, request):
        text = request.GET.get("text", "")[:5000]
        number = number_or_none(request.GET.get("to", ""))
        footer = footer_for(number=number, kind=request.GET.get("kind", "")) if number else ""
        preview = text_preview(text=text_with_footer(text, footer) if text else text)
        return render(request, "messaging/_counter.html", {"preview": preview, "footer": footer})


class MessageListView(ConsolePermissionMixin, View):
    permission_required = "messaging.view_message"

    def get(self, request):
        log = MessageFilter(request.GET or None, queryset=message_list())
        context = {
            "page_title": _("Messages"),
            "form": log.form,
            "page": keyset_page_for(log.qs, request.GET),
            "filtered": log.active,
        }
        return render(request, "messaging/list.html", context)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a streaming answer."""

    def write(self, value: str) -> str:
        return value


# Values we produce ourselves (E.164 numbers start with "+"), never typed by anyone.
PLAIN_COLUMNS = {"id", "created_at", "to", "segments", "sent_at", "delivery_state", "delivered_at"}


def _spreadsheet_safe(value) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class MessageExportView(ConsolePermissionMixin, View):
    permission_required = "messaging.view_message"

    def get(self, request):
        log = MessageFilter(request.GET or None, queryset=message_list())
        rows = log.qs.values_list(*(source for _, source in CSV_COLUMNS))
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow([name for name, _ in CSV_COLUMNS])
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [value if name in PLAIN_COLUMNS else _spreadsheet_safe(value)
                     for (name, _), value in zip(CSV_COLUMNS, row, strict=True)]
                )  # fmt: skip

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="messages-{stamp}.csv"'
        return response


def _detail_context(message: Message) -> dict:
    return {
        "message": message,
        "timeline": message_timeline(message=message),
        "attempts": list(message.attempts.all()),
        "receipts": message_delivery_reports(message=message),
    }


class MessageDetailView(ConsolePermissionMixin, View):
    permission_required = "messaging.view_message"

    def get(self, request, pk: int):
        message = _message_or_404(pk)
        context = {
            "page_title": _("Message %(id)s") % {"id": message.pk},
            "callbacks": message_callbacks(message=message),
            **_detail_context(message),
        }
        return render(request, "messaging/detail.html", context)


class MessageStatusView(ConsolePermissionMixin, View):
    """The live part of a message (htmx polls it while the message is queued or sending)."""

    permission_required = "messaging.view_message"

    def get(self, request, pk: int):
        message = _message_or_404(pk)
        if request.GET.get("view") == "badge":
            return render(request, "messaging/_status_badge.html", {"message": message})
        return render(request, "messaging/_live.html", _detail_context(message))


# --- Delivery reports ---------------------------------------------------------------------------

# Compared with a wrong token when the connector does not exist, so both take the same time.
_NO_TOKEN = "0" * 48


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


@method_decorator(csrf_exempt, name="dispatch")
class DeliveryReceiptView(View):
    """POST /dlr/<connector id>/<token>/: a provider pushes delivery reports (no login).

    The token is compared in constant time (wrong: 401); a provider's own check, such as
    Twilio's signature, must pass too (403). The receipt is stored as it came and read by a task,
    so the provider gets its 200 at once, even for a receipt that matches no message.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, connector_id: int, token: str) -> HttpResponse:
        connector = connector_for_receipts(connector_id=connector_id)
        expected = connector.receipt_token if connector else _NO_TOKEN
        if not hmac.compare_digest(expected.encode(), token.encode()) or connector is None:
            return _plain(401, "Unauthorized: unknown connector or wrong receipt token.")
        if len(request.body) > settings.SMSCONSOLE_RECEIPT_MAX_BYTES:
            return _plain(413, "Payload Too Large: the receipt was not stored.")
        try:
            get_provider(connector.provider).receipt_verify(
                connector,
                ReceiptRequest(
                    url=request.build_absolute_uri(),
                    content_type=request.content_type or "",
                    body=request.body,
                    fields=request.POST.dict(),
                    headers=dict(request.headers),
                ),
                url=connector.receipt_url or request.build_absolute_uri(),
            )
        except ReceiptRefused as refused:
            return _plain(403, f"Forbidden: {refused}")
        except UnknownProvider:
            pass  # stored all the same; reading it says why it cannot be read
        delivery_report_store(
            connector=connector,
            body=request.body,
            content_type=request.META.get("CONTENT_TYPE", ""),
        )
        return _plain(200, "OK")


class DeliveryReportListView(ConsolePermissionMixin, View):
    """Receipts that matched no message, newest first, as they came (redacted)."""

    permission_required = "messaging.view_deliveryreport"

    def get(self, request):
        context = {
            "page_title": _("Delivery reports"),
            "page": keyset_page_for(delivery_reports_unmatched(), request.GET),
        }
        return render(request, "messaging/delivery_reports.html", context)
