"""Request middleware of the console itself."""

from core.audit import audit_context_begin, audit_context_end


class AuditContextMiddleware:
    """Lets services attribute audit entries to the signed-in user and the client address."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = audit_context_begin(request)
        try:
            return self.get_response(request)
        finally:
            audit_context_end(token)
