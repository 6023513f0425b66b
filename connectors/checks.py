"""System checks: misconfiguration is caught at start-up, with a hint."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.module_loading import import_string

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider


@register()
def check_provider_registry(app_configs, **kwargs):
    errors, slugs = [], {}
    for path in settings.SMSCONSOLE_PROVIDERS:
        try:
            cls = import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"Provider '{path}' cannot be imported: {exc}",
                    hint="Fix SMSCONSOLE_PROVIDERS.",
                    id="connectors.E001",
                )
            )
            continue
        if cls.slug in slugs:
            errors.append(
                Error(
                    f"Providers '{slugs[cls.slug]}' and '{path}' share the slug '{cls.slug}'.",
                    id="connectors.E002",
                )
            )
        slugs[cls.slug] = path
    if settings.SMSCONSOLE_SIMULATORS and not settings.DEBUG:
        errors.append(
            Warning(
                "Provider simulators are mounted while DEBUG is off.",
                hint="Set SMSCONSOLE_SIMULATORS=off in production.",
                id="connectors.W002",
            )
        )
    return errors


@register(Tags.database)
def check_connectors(app_configs, **kwargs):
    problems = []
    try:
        # Without the secrets: one stored under another key is smsconsole.E002, not a crash.
        connectors = list(Connector.objects.defer("password", "session_token"))
    except DatabaseError:
        return []
    for connector in connectors:
        try:
            get_provider(connector.provider).clean_options(connector.options)
        except UnknownProvider:
            problems.append(
                Error(
                    f"Connector '{connector}' uses unknown provider '{connector.provider}'.",
                    hint="Add the provider to SMSCONSOLE_PROVIDERS or delete the connector.",
                    id="connectors.E003",
                )
            )
        except ValidationError as error:
            problems.append(
                Error(
                    f"Connector '{connector}' has invalid options: {error.messages}",
                    hint="Edit the connector in the console.",
                    id="connectors.E004",
                )
            )
    if connectors and not any(c.is_active for c in connectors):
        problems.append(
            Warning(
                "No connector is active: every message will fail.",
                hint="Activate a connector on the Connectors page.",
                id="connectors.W001",
            )
        )
    return problems
