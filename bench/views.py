"""Baseline views the benchmarks measure the product against (benchmark servers only).

Two kinds: empty views (the framework's floor) and minimal views that validate the same input and
store the same row with one ORM insert (plus the task enqueue for the send API) — the least any
path that stores an SMS or a receipt can do.
"""

import hashlib
from functools import cache

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from core.phone import normalize_number, number_canonical
from core.text import measure
from inbox.models import InboundMessage, ReceiverNumber
from messaging.api import MessageInputSerializer, MessageOutputSerializer
from messaging.models import DeliveryReport, Message, ReceiptSource
from messaging.services.leases import message_enqueue


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


class MinimalApi(APIView):
    """The product's API stack (API key authentication, permission, renderer) and no work."""

    permission_required = {"POST": "messaging.add_message"}

    def post(self, request):
        return Response({"ok": True}, status=202)


@csrf_exempt
def minimal_view(request: HttpRequest) -> HttpResponse:
    """A Django view that only answers 200, like /SMSReceiver's success answer."""
    return _plain(200, "OK")


class MinimalSendApi(APIView):
    """The send API's input checked by the same serializer, the number normalised, one insert
    and the task enqueue; the same 202 representation."""

    permission_required = {"POST": "messaging.add_message"}

    def post(self, request):
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data["text"]
        measured = measure(text)
        now = timezone.now()
        with transaction.atomic():
            message = Message.objects.create(
                to=normalize_number(data.validated_data["to"]),
                text=text,
                encoding=measured.encoding,
                segments=measured.segments,
                api_key=request.auth,
                due_at=now,
                kicked_at=now,
            )
            message_enqueue(message_id=message.pk)
        return Response(MessageOutputSerializer(message).data, status=202)


@cache
def _receive_connector_id(receiver: str) -> int:
    """The receive connector of a number, looked up once per process (the baseline's only read)."""
    return ReceiverNumber.objects.get(number=receiver).connector_id


@csrf_exempt
def minimal_receiver(request: HttpRequest) -> HttpResponse:
    """/SMSReceiver's form fields checked for presence, the numbers made canonical, one insert."""
    receiver = number_canonical(request.POST.get("receiver", ""))
    sender = number_canonical(request.POST.get("sender", ""))
    text = request.POST.get("message", "")
    if not (receiver and sender and text):
        return _plain(400, "Bad Request: missing parameters.")
    message = InboundMessage.objects.create(
        connector_id=_receive_connector_id(receiver),
        receiver=receiver,
        sender=sender,
        text=text,
        fingerprint=hashlib.sha256(f"{receiver}\x1f{sender}\x1f{text}".encode()).hexdigest(),
    )
    return _plain(200, f"OK: stored as message {message.pk}.")


@csrf_exempt
def minimal_receipt(request: HttpRequest, connector_id: int, token: str) -> HttpResponse:
    """A pushed receipt stored as it came, with one insert (no token check, no task)."""
    DeliveryReport.objects.create(
        connector_id=connector_id,
        source=ReceiptSource.PUSH,
        raw=request.body.decode("utf-8", errors="replace"),
        content_type=request.META.get("CONTENT_TYPE", "")[:100],
    )
    return _plain(200, "OK")
