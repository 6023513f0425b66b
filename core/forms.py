"""What every console form needs from a service: its ValidationError shown where it belongs."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

T = TypeVar("T")


class ServiceErrorsMixin:
    """Shows a service's ValidationError on a Django form: on the field it names, else above it.

    Services check everything themselves and name fields by their own keys; a form whose field
    names differ overrides `service_error_field`.
    """

    def service_error_field(self, key: str) -> str | None:
        """The form field that shows the service's errors under `key`, or None for the form."""
        return key if key in self.fields else None

    def add_service_errors(self, error: ValidationError) -> None:
        """Put every message of a service's ValidationError on the form."""
        by_key = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {NON_FIELD_ERRORS: error.messages}
        )
        for key, messages in by_key.items():
            field = self.service_error_field(key)
            for message in messages:
                self.add_error(field, message)

    def call_service(self, service: Callable[..., T], /, **arguments: Any) -> T | None:
        """What the service returns, or None with its ValidationError shown on the form."""
        try:
            return service(**arguments)
        except ValidationError as error:
            self.add_service_errors(error)
            return None
