"""API edge helpers: one error format for every endpoint, including errors outside the views."""

import copy

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

# Paths answered in the API's JSON error shape (sendNotification lives under /rest/).
API_PATH_PREFIXES = ("/api/", "/rest/")


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
            "error": _("The request is not valid."),
            "fields": response.data,
            "status": 400,
        }
    return response


class FieldsBuiltOnce:
    """A serializer mixin: the fields are built once per class, and each instance binds shallow
    copies of them.

    DRF builds them again for every instance: deep copies of the declared fields, or for a
    ModelSerializer fields made from the model (0.45 ms for a message's fourteen on every POST of
    the send API). Only for flat serializers of plain fields: validating and rendering change
    nothing a field holds, so the copies may share it.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        built = type(self).__dict__.get("_built_fields")
        if built is None:  # two threads at once may both build it: the same fields, harmless
            built = super().get_fields()
            type(self)._built_fields = built
        return {name: copy.copy(field) for name, field in built.items()}


class AnswerModelSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A ModelSerializer for answers only (FieldsBuiltOnce: its fields are built once per class)."""


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIXES)


def error_response(status_code: int, message: str) -> JsonResponse:
    """The API's error shape, for answers made outside DRF."""
    return JsonResponse({"error": message, "status": status_code}, status=status_code)


# Django's error views (handler400/403/404/500 in the root URLconf): JSON on API paths.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, or 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django reports it as a 400)."""
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            413, _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
        )
    return error_response(400, _("The request is not valid."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, _("You do not have permission to perform this action."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    return error_response(500, _("Internal server error; the cause is in the server log."))
