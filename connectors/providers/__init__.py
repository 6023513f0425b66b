"""The provider registry: the classes named in settings.SMSCONSOLE_PROVIDERS, by slug."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from connectors.providers.base import Provider


class UnknownProvider(KeyError):
    """A slug that no configured provider has."""


@cache
def _load(paths: tuple[str, ...]) -> dict[str, Provider]:
    providers = [import_string(path)() for path in paths]
    return {p.slug: p for p in sorted(providers, key=lambda p: (p.default_priority, p.slug))}


def all_providers() -> dict[str, Provider]:
    """Every configured provider by slug, in the platform's default priority order."""
    return _load(tuple(settings.SMSCONSOLE_PROVIDERS))


def get_provider(slug: str) -> Provider:
    """The provider with this slug, or UnknownProvider."""
    try:
        return all_providers()[slug]
    except KeyError:
        raise UnknownProvider(slug) from None


def provider_choices() -> list[tuple[str, str]]:
    """(slug, name) pairs for forms."""
    return [(slug, p.name) for slug, p in all_providers().items()]
