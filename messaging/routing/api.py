"""GET /api/v1/routes/explain/: where a message to a number would go now, and why."""

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.models import MessageKind
from messaging.routing.forms import ExplainForm
from messaging.routing.selectors import number_explain

STEP_FIELDS = {
    "connector": inline_serializer(
        "RouteStepConnector",
        {"id": serializers.IntegerField(), "name": serializers.CharField()},
    ),
    "used": serializers.BooleanField(help_text="Would carry the message (the first usable)."),
    "usable": serializers.BooleanField(),
    "skip": serializers.CharField(help_text="Why not: off, tripped, no_destination, iys, …"),
    "detail": serializers.CharField(),
}


class RouteExplainApi(APIView):
    permission_required = "connectors.view_connector"

    @extend_schema(
        parameters=[
            OpenApiParameter("to", OpenApiTypes.STR, required=True),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=MessageKind.values),
            OpenApiParameter("sender", OpenApiTypes.STR),
            OpenApiParameter("text", OpenApiTypes.STR, description="Checks the length."),
        ],
        responses=inline_serializer(
            "RouteExplanation",
            {
                "to": serializers.CharField(),
                "country": serializers.CharField(allow_null=True),
                "held_until": serializers.DateTimeField(allow_null=True),
                "hold_reason": serializers.CharField(),
                "footer": serializers.CharField(),
                "steps": inline_serializer("RouteStep", STEP_FIELDS, many=True),
            },
        ),
    )
    def get(self, request):
        form = ExplainForm({"kind": MessageKind.TRANSACTIONAL, **request.query_params.dict()})
        if not form.is_valid():
            return Response(
                {"error": gettext("The query is not valid."), "fields": form.errors, "status": 400},
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = form.cleaned_data
        found = number_explain(
            number=data["to"], kind=data["kind"], sender=data["sender"], text=data["text"]
        )
        if found.error:
            return Response(
                {"error": found.error, "fields": {"to": [found.error]}, "status": 400},
                status=status.HTTP_400_BAD_REQUEST,
            )
        carrier = found.carrier
        return Response(
            {
                "to": found.number,
                "country": found.country.region if found.country else None,
                "held_until": found.hold.until if found.hold else None,
                "hold_reason": found.hold.reason if found.hold else "",
                "footer": found.footer,
                "steps": [
                    {
                        "connector": {"id": step.connector.pk, "name": step.connector.name},
                        "used": step == carrier,
                        "usable": step.usable,
                        "skip": step.skip,
                        "detail": step.detail,
                    }
                    for step in found.steps
                ],
            }
        )
