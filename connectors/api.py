"""Connectors REST API: one class per resource operation set; services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import CredentialFieldsMixin
from connectors.models import MAX_IN_FLIGHT_LIMIT, Connector
from connectors.providers import UnknownProvider, all_providers
from connectors.selectors import connector_list
from connectors.services import (
    connector_check,
    connector_create,
    connector_delete,
    connector_regenerate_receipt_token,
    connector_update,
)


class HealthSerializer(serializers.Serializer):
    state = serializers.CharField()
    consecutive_failures = serializers.IntegerField()
    last_error = serializers.CharField()
    tripped_until = serializers.DateTimeField(allow_null=True)


class ConnectorOutputSerializer(CredentialFieldsMixin, serializers.ModelSerializer):
    """A connector as the API shows it: never the password or a token.

    The user name, options (a URL may carry a credential) and the receipt URL (it carries the
    receipt token) only to callers who may change it.
    """

    credential_fields = ("username", "options", "receipt_url")
    credential_permission = "connectors.change_connector"
    health = HealthSerializer(read_only=True)
    username = serializers.CharField(
        required=False, help_text="Only for callers who may change connectors."
    )
    options = serializers.DictField(
        required=False, help_text="Only for callers who may change connectors."
    )
    receipt_url = serializers.SerializerMethodField(
        help_text="Where the provider pushes delivery reports (paste it into its panel). Only "
        "for callers who may change connectors."
    )
    sends_receipts = serializers.SerializerMethodField(
        help_text="Whether the provider sends delivery reports at all."
    )

    class Meta:
        model = Connector
        fields = [
            "id",
            "name",
            "provider",
            "priority",
            "is_active",
            "username",
            "sender_list",
            "options",
            "max_in_flight",
            "destinations",
            "iys_checked_by_account",
            "price_per_segment",
            "country_prices",
            "promotional_titles",
            "health",
            "receipt_url",
            "sends_receipts",
            "created_at",
            "updated_at",
        ]

    def get_receipt_url(self, connector: Connector) -> str:
        request = self.context.get("request")
        if connector.receipt_url or request is None:
            return connector.receipt_url
        return request.build_absolute_uri(connector.receipt_path)

    def get_sends_receipts(self, connector: Connector) -> bool:
        try:
            return connector.provider_class.sends_receipts(connector)
        except UnknownProvider:
            return False


class ConnectorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    provider = serializers.CharField(max_length=40)
    priority = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    is_active = serializers.BooleanField(required=False, default=True)
    username = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )
    sender_list = serializers.ListField(
        child=serializers.CharField(allow_blank=False), allow_empty=False
    )
    options = serializers.DictField(required=False, default=dict)
    max_in_flight = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_IN_FLIGHT_LIMIT,
        help_text="Provider requests each worker keeps in flight through it at once (default 16).",
    )
    destinations = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='Calling-code prefixes, e.g. ["90"], or ["any"]. Default: the provider\'s.',
    )
    iys_checked_by_account = serializers.BooleanField(
        required=False, help_text="Vouch that the provider checks İYS for this account (audited)."
    )
    price_per_segment = serializers.DecimalField(
        max_digits=10, decimal_places=4, required=False, allow_null=True
    )
    country_prices = serializers.DictField(
        child=serializers.CharField(), required=False, help_text='e.g. {"JO": "0.0300"}'
    )
    promotional_titles = serializers.ListField(child=serializers.CharField(), required=False)


class ConnectorCollectionApi(APIView):
    permission_required = {"GET": "connectors.view_connector", "POST": "connectors.add_connector"}

    @extend_schema(responses=ConnectorOutputSerializer(many=True))
    def get(self, request):
        return Response(
            ConnectorOutputSerializer(
                connector_list(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(request=ConnectorInputSerializer, responses={201: ConnectorOutputSerializer})
    def post(self, request):
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connector = connector_create(**data.validated_data)
        return Response(
            ConnectorOutputSerializer(connector, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ConnectorDetailApi(APIView):
    permission_required = {
        "GET": "connectors.view_connector",
        "PATCH": "connectors.change_connector",
        "DELETE": "connectors.delete_connector",
    }

    @extend_schema(responses=ConnectorOutputSerializer)
    def get(self, request, pk: int):
        return Response(
            ConnectorOutputSerializer(
                get_object_or_404(Connector, pk=pk), context={"request": request}
            ).data
        )

    @extend_schema(
        request=ConnectorInputSerializer(partial=True), responses=ConnectorOutputSerializer
    )
    def patch(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        data = ConnectorInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        connector = connector_update(connector=connector, **data.validated_data)
        return Response(ConnectorOutputSerializer(connector, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        connector_delete(connector=get_object_or_404(Connector, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectorRegenerateReceiptTokenApi(APIView):
    """A new receipt token: the old receipt URL answers 401 from now on."""

    permission_required = "connectors.change_connector"

    @extend_schema(request=None, responses=ConnectorOutputSerializer)
    def post(self, request, pk: int):
        connector = connector_regenerate_receipt_token(
            connector=get_object_or_404(Connector, pk=pk)
        )
        return Response(ConnectorOutputSerializer(connector, context={"request": request}).data)


class CheckOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    balance = serializers.CharField()
    checked_at = serializers.DateTimeField()


class ConnectorTestApi(APIView):
    permission_required = "connectors.change_connector"

    @extend_schema(request=None, responses=CheckOutputSerializer)
    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        result = connector_check(connector=connector)
        return Response(
            {
                "ok": result.ok,
                "detail": result.detail,
                "balance": result.balance,
                "checked_at": connector.last_checked_at,
            }
        )


class ProviderOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    default_priority = serializers.IntegerField()
    default_base_url = serializers.CharField()
    fields = serializers.DictField()
    limits = serializers.DictField()


def _describe_provider(provider) -> dict:
    options = {
        name: {
            "label": str(field.label or name),
            "help": str(field.help_text or ""),
            "required": field.required,
            "initial": field.initial,
            **({"choices": [c[0] for c in field.choices]} if hasattr(field, "choices") else {}),
        }
        for name, field in provider.option_fields().items()
    }
    return {
        "slug": provider.slug,
        "name": provider.name,
        "description": provider.description,
        "default_priority": provider.default_priority,
        "default_base_url": provider.default_base_url,
        "fields": {
            "username": provider.username_label,
            "password": provider.password_label,
            "options": options,
        },
        "limits": provider.limits(),
    }


class ProviderListApi(APIView):
    permission_required = "connectors.view_connector"

    @extend_schema(responses=ProviderOutputSerializer(many=True))
    def get(self, request):
        return Response([_describe_provider(p) for p in all_providers().values()])
