"""What every simulator endpoint shares: no CSRF or login, and the provider's failure mode."""

import base64
import binascii
import functools
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from connectors.simulators.models import FailureMode, SimulatedProvider
from connectors.simulators.selectors import simulated_latency_seconds, simulated_provider_get

Handler = Callable[..., HttpResponse]
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def authorization(request: HttpRequest) -> tuple[str, str]:
    """(scheme, credentials) of the Authorization header; empty strings without one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return scheme, value.strip()


def basic_pair(credentials: str) -> tuple[str, str] | None:
    """(user name, password) of HTTP Basic credentials, or None when they do not decode."""
    try:
        username, _, password = base64.b64decode(credentials).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


def provider_endpoint(
    slug: str, *, content_type: str, methods: tuple[str, ...]
) -> Callable[[Handler], Handler]:
    """Turn `handler(request, provider, ...)` into a provider endpoint with failure modes applied.

    "slow" waits before answering normally, "http_500" and "fixed_answer" answer without looking at
    the request; credential and balance modes are applied by the selectors the handler uses. Every
    answer then waits the simulator's latency (the request is handled first, as a provider takes
    a message before its answer travels back); other requests are served meanwhile.
    """

    def decorate(handler: Handler) -> Handler:
        @csrf_exempt
        @functools.wraps(handler)
        def endpoint(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            provider: SimulatedProvider = simulated_provider_get(slug=slug)
            answer = _answer(request, provider, *args, **kwargs)
            time.sleep(simulated_latency_seconds(provider=provider))
            return answer

        def _answer(request, provider: SimulatedProvider, *args, **kwargs) -> HttpResponse:
            if provider.failure_mode == FailureMode.SLOW:
                time.sleep(provider.slow_seconds)
            if provider.failure_mode == FailureMode.HTTP_500:
                return HttpResponse("Internal Server Error", status=500, content_type="text/html")
            if provider.failure_mode == FailureMode.FIXED_ANSWER:
                return HttpResponse(
                    provider.fixed_body, status=provider.fixed_status, content_type=content_type
                )
            return handler(request, provider, *args, **kwargs)

        return endpoint

    return decorate


def route(adapter_path: str, view: Handler, *, name: str) -> URLPattern:
    """The endpoint at an adapter's path constant: "/a/{sid}.json" is served as "a/<str:sid>.json"."""
    return path(PLACEHOLDER_RE.sub(r"<str:\1>", adapter_path.lstrip("/")), view, name=name)
