"""Inbox console pages: parse input, call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from connectors.selectors import sender_titles_active
from inbox.forms import OptOutForm, ReceiveConnectorForm, ReplyForm
from inbox.models import ReceiveConnector
from inbox.selectors import conversation_list, conversation_messages, receive_connector_list
from inbox.services import (
    conversation_mark_read,
    receive_connector_create,
    receive_connector_delete,
    receive_connector_regenerate_token,
    receive_connector_update,
)
from messaging.models import OptOut
from messaging.selectors import numbers_opted_out, optout_list, text_preview
from messaging.services import message_create, optout_create, optout_delete

PAGE_SIZE = 50


def receiver_url(request: HttpRequest) -> str:
    """The full /SMSReceiver URL to paste into a provider's panel."""
    path = reverse("inbox:receiver")
    if settings.SMSCONSOLE_PUBLIC_URL:
        return settings.SMSCONSOLE_PUBLIC_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


def _console_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- Inbox ------------------------------------------------------------------------------------


class InboxView(ConsolePermissionMixin, View):
    permission_required = "inbox.view_inboundmessage"

    def get(self, request):
        search = request.GET.get("q", "").strip()
        connector_id = _int_or_none(request.GET.get("connector"))
        conversations = conversation_list(search=search, connector_id=connector_id)
        page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "inbox/list.html",
            {
                "page_title": _("Inbox"),
                "page": page,
                "search": search,
                "connector_id": connector_id,
                "receive_connectors": ReceiveConnector.objects.all(),
                "has_connectors": ReceiveConnector.objects.exists(),
            },
        )


class ConversationView(ConsolePermissionMixin, View):
    permission_required = {
        "GET": "inbox.view_inboundmessage",
        "POST": "inbox.change_inboundmessage",
    }

    def get(self, request, number: str):
        if request.user.has_perm("inbox.change_inboundmessage"):  # a Viewer's visit changes nothing
            conversation_mark_read(number=number)
        form = ReplyForm(sender_titles=sender_titles_active())
        return self._render(request, number, form)

    def post(self, request, number: str):
        form = ReplyForm(request.POST, sender_titles=sender_titles_active())
        if form.is_valid():
            try:
                message_create(
                    to=number, text=form.cleaned_data["text"], sender=form.cleaned_data["sender"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("Reply to %(number)s queued for sending.") % {"number": number}
                )
                return redirect("inbox:conversation", number=number)
        return self._render(request, number, form, status=400)

    def _render(self, request, number: str, form: ReplyForm, status: int = 200):
        items = conversation_messages(number=number)
        return render(
            request,
            "inbox/conversation.html",
            {
                "page_title": number,
                "number": number,
                "items": items,
                "form": form,
                "preview": text_preview(text=form["text"].value() or ""),
                "opted_out": bool(numbers_opted_out(numbers=[number])),
            },
            status=status,
        )


# --- Receive connectors -----------------------------------------------------------------------


class ReceiveConnectorListView(ConsolePermissionMixin, View):
    permission_required = "inbox.view_receiveconnector"

    def get(self, request):
        return render(
            request,
            "inbox/receive_connector_list.html",
            {
                "page_title": _("Receive connectors"),
                "connectors": receive_connector_list(),
                "receiver_url": receiver_url(request),
            },
        )


class ReceiveConnectorCreateView(ConsolePermissionMixin, View):
    permission_required = "inbox.add_receiveconnector"

    def get(self, request):
        return self._render(request, ReceiveConnectorForm())

    def post(self, request):
        form = ReceiveConnectorForm(request.POST)
        if form.is_valid():
            try:
                connector = receive_connector_create(
                    **form.service_fields(), console_url=_console_url(request)
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _(
                        "Receive connector “%(name)s” added. Paste the receiver URL and its "
                        "token into your provider's panel."
                    )
                    % {"name": connector.name},
                )
                return redirect("inbox:receive-connector-list")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            "inbox/receive_connector_form.html",
            {
                "page_title": _("Add receive connector"),
                "form": form,
                "receiver_url": receiver_url(request),
            },
            status=status,
        )


class ReceiveConnectorEditView(ConsolePermissionMixin, View):
    permission_required = "inbox.change_receiveconnector"

    def get(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        return self._render(request, ReceiveConnectorForm(connector=connector))

    def post(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        form = ReceiveConnectorForm(request.POST, connector=connector)
        if form.is_valid():
            try:
                receive_connector_update(
                    connector=connector, **form.service_fields(), console_url=_console_url(request)
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("Receive connector “%(name)s” saved.") % {"name": connector.name}
                )
                return redirect("inbox:receive-connector-list")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            "inbox/receive_connector_form.html",
            {
                "page_title": _("Edit %(name)s") % {"name": form.connector.name},
                "form": form,
                "connector": form.connector,
                "receiver_url": receiver_url(request),
            },
            status=status,
        )


class ReceiveConnectorDeleteView(ConsolePermissionMixin, View):
    permission_required = "inbox.delete_receiveconnector"

    def get(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        return render(
            request,
            "inbox/receive_connector_delete.html",
            {"page_title": _("Delete %(name)s") % {"name": connector.name}, "connector": connector},
        )

    def post(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        receive_connector_delete(connector=connector)
        messages.success(
            request, _("Receive connector “%(name)s” deleted.") % {"name": connector.name}
        )
        return redirect("inbox:receive-connector-list")


class ReceiveConnectorRegenerateTokenView(ConsolePermissionMixin, View):
    permission_required = "inbox.change_receiveconnector"

    def post(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        receive_connector_regenerate_token(connector=connector)
        messages.success(
            request,
            _("New token for “%(name)s”. The old one no longer works: update the provider's panel.")
            % {"name": connector.name},
        )
        return redirect("inbox:receive-connector-list")


# --- Opt-outs ---------------------------------------------------------------------------------


class OptOutListView(ConsolePermissionMixin, View):
    permission_required = {"GET": "messaging.view_optout", "POST": "messaging.add_optout"}

    def get(self, request):
        return self._render(request, OptOutForm())

    def post(self, request):
        form = OptOutForm(request.POST)
        if form.is_valid():
            try:
                optout = optout_create(number=form.cleaned_data["number"])
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("%(number)s will receive no commercial messages.")
                    % {"number": optout.number},
                )
                return redirect("inbox:optout-list")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        search = request.GET.get("q", "").strip()
        page = Paginator(optout_list(search=search), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "inbox/optout_list.html",
            {
                "page_title": _("Opt-outs"),
                "page": page,
                "search": search,
                "form": form,
                "stop_words": settings.SMSCONSOLE_STOP_WORDS,
            },
            status=status,
        )


class OptOutDeleteView(ConsolePermissionMixin, View):
    permission_required = "messaging.delete_optout"

    def post(self, request, pk: int):
        optout = get_object_or_404(OptOut, pk=pk)
        optout_delete(optout=optout)
        messages.success(
            request, _("%(number)s removed from the opt-out list.") % {"number": optout.number}
        )
        return redirect("inbox:optout-list")
