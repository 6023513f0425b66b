"""Templates, campaigns and sendNotification over the API; services do the work.

Template detail URLs take the template's key or its id: /api/v1/templates/order-shipped/ and
/api/v1/templates/7/ are both fine, because keys always hold a letter (an all-digit value is an id).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.campaigns.models import Campaign, Template
from messaging.campaigns.selectors import (
    campaign_list,
    campaign_progress,
    campaigns_progress,
    template_get_by_key_or_id,
    template_list,
)
from messaging.campaigns.services import (
    TemplateNotFound,
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    notification_send,
    template_create,
    template_delete,
    template_update,
)
from messaging.models import MessageKind


class TemplateOutputSerializer(serializers.ModelSerializer):
    placeholders = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Template
        fields = [
            "id",
            "key",
            "name",
            "text",
            "kind",
            "sender",
            "placeholders",
            "created_at",
            "updated_at",
        ]


class TemplateInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=100)
    text = serializers.CharField(trim_whitespace=False)
    kind = serializers.ChoiceField(
        choices=MessageKind.choices, required=False, default=MessageKind.TRANSACTIONAL
    )
    sender = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


def _template_or_404(key_or_id: str) -> Template:
    template = template_get_by_key_or_id(key_or_id=key_or_id)
    if template is None:
        raise Http404(f"No template has the key or id '{key_or_id}'.")
    return template


class TemplateCollectionApi(APIView):
    @extend_schema(responses=TemplateOutputSerializer(many=True))
    def get(self, request):
        return Response(TemplateOutputSerializer(template_list(), many=True).data)

    @extend_schema(request=TemplateInputSerializer, responses={201: TemplateOutputSerializer})
    def post(self, request):
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = template_create(**data.validated_data)
        return Response(TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailApi(APIView):
    """One template, by key (e.g. order-shipped) or by id."""

    @extend_schema(responses=TemplateOutputSerializer)
    def get(self, request, key_or_id: str):
        return Response(TemplateOutputSerializer(_template_or_404(key_or_id)).data)

    @extend_schema(
        request=TemplateInputSerializer(partial=True), responses=TemplateOutputSerializer
    )
    def patch(self, request, key_or_id: str):
        template = _template_or_404(key_or_id)
        data = TemplateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(
            TemplateOutputSerializer(template_update(template=template, **data.validated_data)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request, key_or_id: str):
        template_delete(template=_template_or_404(key_or_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignOutputSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="key", read_only=True)
    counts = serializers.SerializerMethodField()
    rejected_rows = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "template",
            "text",
            "kind",
            "sender",
            "source",
            "scheduled_at",
            "recipient_count",
            "min_segments",
            "max_segments",
            "total_segments",
            "invalid_count",
            "duplicate_count",
            "opted_out_count",
            "counts",
            "rejected_rows",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_counts(self, campaign: Campaign) -> dict:
        counted = self.context.get("progress") or {}  # a list counts all its campaigns at once
        progress = counted.get(campaign.pk) or campaign_progress(campaign=campaign)
        return progress.as_dict()

    def get_rejected_rows(self, campaign: Campaign) -> list[dict]:
        """The first rows left out (all of them are in the console)."""
        if not self.context.get("with_rejections"):
            return []
        return [
            {"line": r.line, "value": r.value, "reason": r.reason, "detail": r.detail}
            for r in campaign.rejected_rows.order_by("line")[:100]
        ]


class RecipientSerializer(serializers.Serializer):
    msisdn = serializers.CharField()
    params = serializers.DictField(required=False, default=dict)


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    text = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    template = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A template key."
    )
    kind = serializers.ChoiceField(
        choices=MessageKind.choices, required=False, allow_blank=True, default=""
    )
    sender = serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True, default=None
    )
    recipients = RecipientSerializer(many=True, required=False)
    file = serializers.FileField(
        required=False, help_text="A CSV upload (multipart) instead of recipients."
    )
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CampaignCollectionApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def get(self, request):
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(
            campaign_list(status=request.query_params.get("status", "")), request, view=self
        )
        output = CampaignOutputSerializer(
            page, many=True, context={"progress": campaigns_progress(campaigns=page)}
        )
        return paginator.get_paginated_response(output.data)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignOutputSerializer})
    def post(self, request):
        """Create a campaign and start it now, or at scheduled_at."""
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        campaign = campaign_create(
            name=fields["name"],
            text=fields["text"],
            template=fields["template"] or None,
            kind=fields["kind"],
            sender=fields["sender"],
            csv_file=fields.get("file"),
            recipients=fields.get("recipients"),
            start=True,
            scheduled_at=fields["scheduled_at"],
            api_key=request.auth,
        )
        output = CampaignOutputSerializer(campaign, context={"with_rejections": True})
        return Response(output.data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    @extend_schema(responses=CampaignOutputSerializer)
    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        return Response(CampaignOutputSerializer(campaign, context={"with_rejections": True}).data)


class CampaignActionApi(APIView):
    """POST /campaigns/{id}/pause/, /resume/ or /cancel/."""

    actions = {"pause": campaign_pause, "resume": campaign_resume, "cancel": campaign_cancel}

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request, pk: int, action: str):
        campaign = get_object_or_404(Campaign, pk=pk)
        campaign = self.actions[action](campaign=campaign)
        campaign.refresh_from_db()
        return Response(CampaignOutputSerializer(campaign).data)


class NotificationInputSerializer(serializers.Serializer):
    notificationKey = serializers.CharField(help_text="The template key.")
    target = serializers.JSONField(
        required=False, help_text='{"msisdn": "+90…"} or {"msisdns": [...]}'
    )
    targets = serializers.JSONField(
        required=False, help_text='[{"msisdn": "+90…", "params": {...}}]'
    )
    params = serializers.JSONField(required=False)


class SendNotificationApi(APIView):
    """POST /rest/3.0/sendNotification: send a template by key, in the style of the platform mimicked.

    Authenticate with the header `X-netmera-api-key: <API key>` (any API key header works).
    Everything is checked first: one bad number or missing placeholder value answers 400 listing
    every problem, and nothing is sent.
    """

    @extend_schema(
        request=NotificationInputSerializer,
        responses={
            202: inline_serializer(
                "NotificationAccepted",
                {
                    "messageIds": serializers.ListField(child=serializers.IntegerField()),
                    "messages": serializers.ListField(child=serializers.DictField()),
                    "skipped": serializers.ListField(child=serializers.DictField()),
                },
            ),
            400: OpenApiResponse(
                description="Bad request: every problem listed under fields; nothing sent."
            ),
            404: OpenApiResponse(description="No template has the notificationKey."),
        },
    )
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        try:
            result = notification_send(
                notification_key=body.get("notificationKey", ""),
                target=body.get("target"),
                targets=body.get("targets"),
                params=body.get("params"),
                api_key=request.auth,
            )
        except TemplateNotFound as error:
            return Response({"error": str(error), "status": 404}, status=status.HTTP_404_NOT_FOUND)
        return Response(
            {
                "messageIds": [m.pk for m in result.messages],
                "messages": [
                    {"id": m.pk, "msisdn": m.to, "status": m.status} for m in result.messages
                ],
                "skipped": result.skipped,
            },
            status=status.HTTP_202_ACCEPTED,
        )
