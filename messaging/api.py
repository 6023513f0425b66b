"""Messages REST API: send (202), read one with its attempts, list with the log's filters."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.forms import MessageFilterForm
from messaging.models import Attempt, Message, MessageKind
from messaging.selectors import message_get, message_list
from messaging.services import message_create
from smsconsole.models import ApiKey

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
]


class MessageInputSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=1600, trim_whitespace=False)
    sender = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=MessageKind.values, required=False, default=MessageKind.TRANSACTIONAL
    )
    connector = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Pin to this connector id."
    )


class MessageOutputSerializer(serializers.ModelSerializer):
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
            "http_status", "duration_ms", "started_at",
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
            "campaign",
        ]  # fmt: skip


class MessageCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500


FILTER_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=["queued", "sending", "sent", "failed"]),
    OpenApiParameter("connector", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=MessageKind.values),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("number", OpenApiTypes.STR),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text contains."),
    OpenApiParameter("campaign", OpenApiTypes.INT, description="Messages of this campaign id."),
]


class MessageCollectionApi(APIView):
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
        form = MessageFilterForm(request.query_params)
        if not form.is_valid():
            return Response(
                {"error": "The filters are not valid.", "fields": form.errors, "status": 400},
                status=status.HTTP_400_BAD_REQUEST,
            )
        messages = message_list(**form.selector_arguments()).prefetch_related("attempts")
        paginator = MessageCursorPagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(MessageDetailSerializer(page, many=True).data)


class MessageDetailApi(APIView):
    @extend_schema(responses=MessageDetailSerializer)
    def get(self, request, pk: int):
        try:
            message = message_get(message_id=pk)
        except Message.DoesNotExist:
            raise Http404(f"No message {pk}.") from None
        return Response(MessageDetailSerializer(message).data)
