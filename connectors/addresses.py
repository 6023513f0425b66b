"""Where a connector sends its credentials, to notice when an edit points them somewhere new."""

from typing import Any
from urllib.parse import urlsplit

from django import forms

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider

# Options that say where a provider speaking plain TCP (SMPP) connects, besides URL options.
ADDRESS_OPTIONS = ("host", "port")
DEFAULT_PORTS = {"http": 80, "https": 443}
ADDRESS_CHANGED = (
    "the connector's address (scheme, host or port) changes, and the stored one is never sent "
    "to a new address."
)


def credentials_address(provider_slug: str, options: dict[str, Any]) -> set[tuple]:
    """The scheme, host and port of every URL option, and the host and port options."""
    try:
        provider = get_provider(provider_slug)
    except UnknownProvider:
        return {("provider", provider_slug)}
    values = {**provider.default_options(), **(options or {})}
    address = set()
    for name, field in provider.option_fields().items():
        value = values.get(name)
        if isinstance(field, forms.URLField):
            parts = urlsplit(str(value or ""))
            scheme = parts.scheme.lower()
            try:
                port = parts.port or DEFAULT_PORTS.get(scheme)
            except ValueError:
                port = parts.netloc
            address.add((name, scheme, parts.hostname, port))
        elif name in ADDRESS_OPTIONS:
            address.add((name, str(value or "").lower()))
    return address


def address_changes(*, connector: Connector, provider_slug: str, options: dict[str, Any]) -> bool:
    """Whether these fields would send the connector's credentials to another address."""
    before = credentials_address(connector.provider, connector.options)
    return before != credentials_address(provider_slug, options)
