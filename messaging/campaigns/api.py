"""Templates, campaigns and sendNotification over the API; services do the work.

Template detail URLs take the template's key or its id: /api/v1/templates/order-shipped/ and
/api/v1/templates/7/ are both fine, because keys always hold a letter (an all-digit value is an id).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.campaigns.compliance import campaign_compliance, campaign_spend
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
    UploadTooLarge,
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    notification_send,
    template_create,
    template_delete,
    template_update,
)
from messaging.models import IysRecipientType, MessageKind


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
            "iys_recipient_type",
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
    iys_recipient_type = serializers.ChoiceField(
        choices=IysRecipientType.choices, required=False, allow_blank=True, default=""
    )


def _template_or_404(key_or_id: str) -> Template:
    template = template_get_by_key_or_id(key_or_id=key_or_id)
    if template is None:
        raise Http404(gettext("No template has the key or id '%(key)s'.") % {"key": key_or_id})
    return template


class TemplateCollectionApi(APIView):
    permission_required = {"GET": "campaigns.view_template", "POST": "campaigns.add_template"}

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

    permission_required = {
        "GET": "campaigns.view_template",
        "PATCH": "campaigns.change_template",
        "DELETE": "campaigns.delete_template",
    }

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


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["done", "importing", "failed"])
    rows_read = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    error = serializers.CharField()


class CampaignOutputSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="key", read_only=True)
    counts = serializers.SerializerMethodField()
    rejected_rows = serializers.SerializerMethodField()
    import_progress = serializers.SerializerMethodField()
    spend = serializers.SerializerMethodField(help_text="What its accepted messages cost so far.")
    estimated_spend = serializers.SerializerMethodField(
        help_text="Its recipients' segments × the price of the first connector in line (one "
        "campaign only; null when no price is set)."
    )

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
            "iys_recipient_type",
            "max_spend",
            "spend",
            "estimated_spend",
            "paused_reason",
            "resume_at",
            "quiet_hours_override",
            "counts",
            "rejected_rows",
            "import_progress",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_counts(self, campaign: Campaign) -> dict:
        counted = self.context.get("progress") or {}  # a list counts all its campaigns at once
        progress = counted.get(campaign.pk) or campaign_progress(campaign=campaign)
        return progress.as_dict()

    @extend_schema_field(ImportProgressSerializer)
    def get_import_progress(self, campaign: Campaign) -> dict:
        """How far a large CSV upload's import got (a worker imports it after the answer)."""
        return {
            "status": campaign.import_status or "done",
            "rows_read": campaign.import_rows_read,
            "rows_total": campaign.import_rows_total,
            "error": campaign.import_error,
        }

    def get_spend(self, campaign: Campaign) -> str:
        return str(campaign_spend(campaign=campaign))

    def get_estimated_spend(self, campaign: Campaign) -> str | None:
        if not self.context.get("with_rejections"):
            return None
        estimate = campaign_compliance(campaign=campaign).estimated_spend
        return None if estimate is None else str(estimate)

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
    iys_recipient_type = serializers.ChoiceField(
        choices=IysRecipientType.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Blank: the template's, else the connector's default.",
    )
    max_spend = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Spend cap: the campaign pauses before its messages could cost more.",
    )


class CampaignCollectionApi(APIView):
    permission_required = {
        "GET": "campaigns.view_campaign",
        "POST": ("campaigns.add_campaign", "accounts.send_campaign"),
    }

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
        try:
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
                iys_recipient_type=fields["iys_recipient_type"],
                max_spend=fields["max_spend"],
                api_key=request.auth,
            )
        except UploadTooLarge as error:
            body = {"error": error.messages[0], "fields": error.message_dict, "status": 413}
            return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        output = CampaignOutputSerializer(campaign, context={"with_rejections": True})
        return Response(output.data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_required = "campaigns.view_campaign"

    @extend_schema(responses=CampaignOutputSerializer)
    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        return Response(CampaignOutputSerializer(campaign, context={"with_rejections": True}).data)


class CampaignActionApi(APIView):
    """POST /campaigns/{id}/pause/, /resume/ or /cancel/."""

    permission_required = "accounts.send_campaign"

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
    callback_url = serializers.CharField(
        required=False,
        help_text="Where each message's events are posted, signed (see POST /api/v1/messages/). "
        "Default: the API key's callback URL.",
    )
    validity_seconds = serializers.IntegerField(
        required=False, help_text="How long the messages may wait to be sent (60 to 604800 s)."
    )
    expires_at = serializers.DateTimeField(
        required=False, help_text="Instead of validity_seconds: when they may no longer be sent."
    )


class SendNotificationApi(APIView):
    """POST /rest/3.0/sendNotification: send a template by key, in the style of the platform mimicked.

    Authenticate with the header `X-netmera-api-key: <API key>` (any API key header works).
    Everything is checked first: one bad number or missing placeholder value answers 400 listing
    every problem, and nothing is sent.
    """

    permission_required = "messaging.add_message"

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
                callback_url=body.get("callback_url", ""),
                validity_seconds=body.get("validity_seconds"),
                expires_at=body.get("expires_at"),
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
