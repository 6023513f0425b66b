"""API edge helpers: one error format for every endpoint."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Translate service errors once, here: JSON with field messages and the right 4xx."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], "status": response.status_code}
    elif response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = {
            "error": "The request is not valid.",
            "fields": response.data,
            "status": 400,
        }
    return response


def validation_error_response(error: DjangoValidationError) -> Response:
    """A 400 answer for a service's ValidationError."""
    fields = (
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )
    return Response(
        {"error": "The request is not valid.", "fields": fields, "status": 400}, status=400
    )
