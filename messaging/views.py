"""Messaging console pages: compose, the message log (filters, keyset pages, CSV), detail."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from messaging.forms import ComposeForm, MessageFilterForm
from messaging.models import Message
from messaging.selectors import (
    message_get,
    message_list,
    message_page,
    message_timeline,
    text_preview,
)
from messaging.services import message_create

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
]


def _message_or_404(message_id: int) -> Message:
    try:
        return message_get(message_id=message_id)
    except Message.DoesNotExist:
        raise Http404(f"No message {message_id}.") from None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class ComposeView(LoginRequiredMixin, View):
    def get(self, request):
        sent = None
        if sent_id := _int_or_none(request.GET.get("sent")):
            sent = Message.objects.filter(pk=sent_id).first()
        return self._render(request, ComposeForm(), sent=sent)

    def post(self, request):
        form = ComposeForm(request.POST)
        if form.is_valid():
            try:
                message = message_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect(f"{reverse('messaging:compose')}?sent={message.pk}")
        return self._render(request, form, status=400)

    def _render(self, request, form, *, sent=None, status=200):
        context = {
            "page_title": "Compose",
            "form": form,
            "sent": sent,
            "preview": text_preview(text=form["text"].value() or ""),
        }
        return render(request, "messaging/compose.html", context, status=status)


class ComposeCounterView(LoginRequiredMixin, View):
    """The live counter: measured on the server with messaging/text.py, so it cannot drift."""

    def get(self, request):
        preview = text_preview(text=request.GET.get("text", "")[:5000])
        return render(request, "messaging/_counter.html", {"preview": preview})


class MessageListView(LoginRequiredMixin, View):
    def get(self, request):
        form = MessageFilterForm(request.GET or None)
        filters = form.selector_arguments() if form.is_valid() else {}
        page = message_page(
            message_list(**filters),
            before=_int_or_none(request.GET.get("before")),
            after=_int_or_none(request.GET.get("after")),
        )
        query = {k: v for k, v in request.GET.items() if k not in ("before", "after") and v}
        context = {
            "page_title": "Messages",
            "form": form,
            "page": page,
            "filtered": bool(filters and any(filters.values())),
            "query": urlencode(query),
        }
        return render(request, "messaging/list.html", context)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a streaming answer."""

    def write(self, value: str) -> str:
        return value


# Values we produce ourselves (E.164 numbers start with "+"), never typed by anyone.
PLAIN_COLUMNS = {"id", "created_at", "to", "segments", "sent_at"}


def _spreadsheet_safe(value) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class MessageExportView(LoginRequiredMixin, View):
    def get(self, request):
        form = MessageFilterForm(request.GET or None)
        filters = form.selector_arguments() if form.is_valid() else {}
        rows = message_list(**filters).values_list(*(source for _, source in CSV_COLUMNS))
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
    }


class MessageDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        message = _message_or_404(pk)
        context = {"page_title": f"Message {message.pk}", **_detail_context(message)}
        return render(request, "messaging/detail.html", context)


class MessageStatusView(LoginRequiredMixin, View):
    """The live part of a message (htmx polls it while the message is queued or sending)."""

    def get(self, request, pk: int):
        message = _message_or_404(pk)
        if request.GET.get("view") == "badge":
            return render(request, "messaging/_status_badge.html", {"message": message})
        return render(request, "messaging/_live.html", _detail_context(message))
