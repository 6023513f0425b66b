"""Inbox REST API: received messages, receive connectors and opt-outs; services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import CredentialFieldsMixin
from inbox.models import InboundMessage, ReceiveConnector, Routing
from inbox.selectors import inbound_message_list, receive_connector_list
from inbox.services import (
    receive_connector_create,
    receive_connector_delete,
    receive_connector_regenerate_token,
    receive_connector_update,
)
from messaging.models import OptOut
from messaging.selectors import optout_list
from messaging.services import optout_create, optout_delete


def _console_url(request) -> str:
    return request.build_absolute_uri("/")


class InboundMessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "receiver",
            "sender",
            "text",
            "keyword",
            "connector",
            "received_at",
            "is_read",
            "is_stop_word",
        ]


class InboxFilterSerializer(serializers.Serializer):
    number = serializers.CharField(
        required=False, max_length=32, help_text="The remote (sender) number."
    )
    connector = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Receive connector id."
    )
    since = serializers.DateTimeField(required=False, help_text="ISO 8601; received at or after.")


class InboxListApi(APIView):
    permission_required = "inbox.view_inboundmessage"

    @extend_schema(
        parameters=[InboxFilterSerializer],
        responses=InboundMessageOutputSerializer(many=True),
    )
    def get(self, request):
        filters = InboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        messages = inbound_message_list(
            number=filters.validated_data.get("number", ""),
            connector_id=filters.validated_data.get("connector"),
            since=filters.validated_data.get("since"),
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(
            InboundMessageOutputSerializer(page, many=True).data
        )


class ReceiveConnectorOutputSerializer(CredentialFieldsMixin, serializers.ModelSerializer):
    """The token (and a forward URL, which may carry one) only to callers who may change it."""

    credential_fields = ("token", "forward_url")
    credential_permission = "inbox.change_receiveconnector"
    receiver_numbers = serializers.ListField(child=serializers.CharField(), read_only=True)
    token = serializers.CharField(
        required=False, help_text="Only for callers who may change receive connectors."
    )
    forward_url = serializers.CharField(
        required=False, help_text="Only for callers who may change receive connectors."
    )

    class Meta:
        model = ReceiveConnector
        fields = [
            "id",
            "name",
            "receiver_numbers",
            "require_token",
            "is_active",
            "routing",
            "forward_url",
            "token",
            "created_at",
            "updated_at",
        ]


class ReceiveConnectorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    receiver_numbers = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False
    )
    require_token = serializers.BooleanField(required=False, default=True)
    is_active = serializers.BooleanField(required=False, default=True)
    routing = serializers.ChoiceField(
        choices=Routing.choices, required=False, default=Routing.INBOX
    )
    forward_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class ReceiveConnectorCollectionApi(APIView):
    permission_required = {
        "GET": "inbox.view_receiveconnector",
        "POST": "inbox.add_receiveconnector",
    }

    @extend_schema(responses=ReceiveConnectorOutputSerializer(many=True))
    def get(self, request):
        return Response(
            ReceiveConnectorOutputSerializer(
                receive_connector_list(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(
        request=ReceiveConnectorInputSerializer, responses={201: ReceiveConnectorOutputSerializer}
    )
    def post(self, request):
        data = ReceiveConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connector = receive_connector_create(
            **data.validated_data, console_url=_console_url(request)
        )
        return Response(
            ReceiveConnectorOutputSerializer(connector, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ReceiveConnectorDetailApi(APIView):
    permission_required = {
        "GET": "inbox.view_receiveconnector",
        "PATCH": "inbox.change_receiveconnector",
        "DELETE": "inbox.delete_receiveconnector",
    }

    @extend_schema(responses=ReceiveConnectorOutputSerializer)
    def get(self, request, pk: int):
        connector = get_object_or_404(receive_connector_list(), pk=pk)
        return Response(
            ReceiveConnectorOutputSerializer(connector, context={"request": request}).data
        )

    @extend_schema(
        request=ReceiveConnectorInputSerializer(partial=True),
        responses=ReceiveConnectorOutputSerializer,
    )
    def patch(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        data = ReceiveConnectorInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        connector = receive_connector_update(
            connector=connector, **data.validated_data, console_url=_console_url(request)
        )
        return Response(
            ReceiveConnectorOutputSerializer(connector, context={"request": request}).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        receive_connector_delete(connector=get_object_or_404(ReceiveConnector, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReceiveConnectorRegenerateTokenApi(APIView):
    permission_required = "inbox.change_receiveconnector"

    @extend_schema(request=None, responses=ReceiveConnectorOutputSerializer)
    def post(self, request, pk: int):
        connector = get_object_or_404(ReceiveConnector, pk=pk)
        connector = receive_connector_regenerate_token(connector=connector)
        return Response(
            ReceiveConnectorOutputSerializer(connector, context={"request": request}).data
        )


class OptOutOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptOut
        fields = ["id", "number", "keyword", "created_at"]


class OptOutInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)


class OptOutQuerySerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, max_length=32)


class OptOutCollectionApi(APIView):
    permission_required = {"GET": "messaging.view_optout", "POST": "messaging.add_optout"}

    @extend_schema(
        parameters=[OpenApiParameter("number", str, description="Part of the number to find.")],
        responses=OptOutOutputSerializer(many=True),
    )
    def get(self, request):
        query = OptOutQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)  # a NUL or an overlong search is a 400, not a 500
        paginator = LimitOffsetPagination()
        optouts = optout_list(search=query.validated_data.get("number", ""))
        page = paginator.paginate_queryset(optouts, request, view=self)
        return paginator.get_paginated_response(OptOutOutputSerializer(page, many=True).data)

    @extend_schema(request=OptOutInputSerializer, responses={201: OptOutOutputSerializer})
    def post(self, request):
        data = OptOutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        optout = optout_create(number=data.validated_data["number"])
        return Response(OptOutOutputSerializer(optout).data, status=status.HTTP_201_CREATED)


class OptOutDetailApi(APIView):
    permission_required = "messaging.delete_optout"

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        optout_delete(optout=get_object_or_404(OptOut, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
