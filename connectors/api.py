"""Connectors REST API: one class per resource operation set; services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors.models import Connector
from connectors.providers import all_providers
from connectors.selectors import connector_list
from connectors.services import (
    connector_check,
    connector_create,
    connector_delete,
    connector_update,
)


class HealthSerializer(serializers.Serializer):
    state = serializers.CharField()
    consecutive_failures = serializers.IntegerField()
    last_error = serializers.CharField()
    tripped_until = serializers.DateTimeField(allow_null=True)


class ConnectorOutputSerializer(serializers.ModelSerializer):
    """A connector as the API shows it: never the password or a token."""

    health = HealthSerializer(read_only=True)

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
            "health",
            "created_at",
            "updated_at",
        ]


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


class ConnectorCollectionApi(APIView):
    @extend_schema(responses=ConnectorOutputSerializer(many=True))
    def get(self, request):
        return Response(ConnectorOutputSerializer(connector_list(), many=True).data)

    @extend_schema(request=ConnectorInputSerializer, responses={201: ConnectorOutputSerializer})
    def post(self, request):
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connector = connector_create(**data.validated_data)
        return Response(ConnectorOutputSerializer(connector).data, status=status.HTTP_201_CREATED)


class ConnectorDetailApi(APIView):
    @extend_schema(responses=ConnectorOutputSerializer)
    def get(self, request, pk: int):
        return Response(ConnectorOutputSerializer(get_object_or_404(Connector, pk=pk)).data)

    @extend_schema(
        request=ConnectorInputSerializer(partial=True), responses=ConnectorOutputSerializer
    )
    def patch(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        data = ConnectorInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        connector = connector_update(connector=connector, **data.validated_data)
        return Response(ConnectorOutputSerializer(connector).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        connector_delete(connector=get_object_or_404(Connector, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    balance = serializers.CharField()
    checked_at = serializers.DateTimeField()


class ConnectorTestApi(APIView):
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
    @extend_schema(responses=ProviderOutputSerializer(many=True))
    def get(self, request):
        return Response([_describe_provider(p) for p in all_providers().values()])
