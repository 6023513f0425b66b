"""Messages REST API: send (202), read one with its attempts, list with the log's filters."""

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors.providers.types import DeliveryState
from core.api import AnswerModelSerializer, FieldsBuiltOnce
from core.models import ApiKey
from messaging.filters import MessageFilter
from messaging.models import Attempt, IysRecipientType, Message, MessageKind
from messaging.selectors import message_get, message_list
from messaging.services import message_create

MESSAGE_FIELDS = [
    "id",
    "to",
    "text",
    "sender",
    "kind",
    "status",
    "encoding",
    "segments",
    "created_at",
    "expires_at",
    "callback_url",
    "delivery_state",
    "delivered_at",
    "delivery_code",
]


class MessageInputSerializer(FieldsBuiltOnce, serializers.Serializer):
    to = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=1600, trim_whitespace=False)
    sender = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=MessageKind.values, required=False, default=MessageKind.TRANSACTIONAL
    )
    connector = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Pin to this connector id."
    )
    iys_recipient_type = serializers.ChoiceField(
        choices=IysRecipientType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="İYS list of a commercial Turkish message; blank: the connector's default.",
    )
    callback_url = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Where this message's events (message.sent, message.failed, message.delivered, "
        "message.undelivered, message.expired) are posted as JSON, signed in the header "
        "X-SmsConsole-Signature (sha256= and the HMAC-SHA256 of the body with the API key's "
        "callback secret). Default: the API key's callback URL. https, or http to an "
        "allowlisted host; no private address.",
    )
    validity_seconds = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="How long the message may wait to be sent, 60 to 604800 seconds; after that it "
        "fails as expired and is never sent. Also passed to providers that take a validity.",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Instead of validity_seconds: the moment after which it is never sent "
        "(at most a week away).",
    )


class MessageOutputSerializer(AnswerModelSerializer):
    class Meta:
        model = Message
        fields = MESSAGE_FIELDS


class ConnectorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    category = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class AttemptSerializer(serializers.ModelSerializer):
    connector = serializers.CharField(source="connector_name")

    class Meta:
        model = Attempt
        fields = [
            "connector", "provider", "outcome", "category", "provider_code", "detail",
            "http_status", "duration_ms", "cost", "started_at",
        ]  # fmt: skip


class MessageDetailSerializer(serializers.ModelSerializer):
    connector = ConnectorRefSerializer(allow_null=True)
    campaign = CampaignRefSerializer(
        allow_null=True, read_only=True, help_text="The campaign it was sent for, if any."
    )
    error = ErrorSerializer()
    attempts = AttemptSerializer(many=True)

    class Meta:
        model = Message
        fields = [
            *MESSAGE_FIELDS, "connector", "provider_message_id", "error", "sent_at", "attempts",
            "campaign", "iys_recipient_type", "hold_reason", "due_at",
        ]  # fmt: skip


class MessageCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500


FILTER_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=["queued", "sending", "sent", "failed"]),
    OpenApiParameter("delivery_state", OpenApiTypes.STR, enum=DeliveryState.values),
    OpenApiParameter("connector", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=MessageKind.values),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("number", OpenApiTypes.STR),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text contains."),
    OpenApiParameter("campaign", OpenApiTypes.INT, description="Messages of this campaign id."),
]


class MessageCollectionApi(APIView):
    permission_required = {"GET": "messaging.view_message", "POST": "messaging.add_message"}

    @extend_schema(
        request=MessageInputSerializer,
        responses={202: MessageOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
    )
    def post(self, request):
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        message = message_create(
            **data.validated_data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            api_key=api_key,
        )
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=FILTER_PARAMETERS, responses=MessageDetailSerializer(many=True))
    def get(self, request):
        log = MessageFilter(request.query_params, queryset=message_list())
        if not log.is_valid():
            return Response(
                {
                    "error": gettext("The filters are not valid."),
                    "fields": log.errors,
                    "status": 400,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        messages = log.qs.prefetch_related("attempts")
        paginator = MessageCursorPagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(MessageDetailSerializer(page, many=True).data)


class MessageDetailApi(APIView):
    permission_required = "messaging.view_message"

    @extend_schema(responses=MessageDetailSerializer)
    def get(self, request, pk: int):
        try:
            message = message_get(message_id=pk)
        except Message.DoesNotExist:
            raise Http404(gettext("No message %(id)s.") % {"id": pk}) from None
        return Response(MessageDetailSerializer(message).data)
