"""Connector console pages: parse input, call one service, render."""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from connectors.forms import ConnectorForm
from connectors.models import Connector
from connectors.providers import UnknownProvider, all_providers, get_provider
from connectors.providers.base import Provider
from connectors.selectors import connector_is_last_active, connector_list
from connectors.services import (
    connector_check,
    connector_create,
    connector_delete,
    connector_move,
    connector_regenerate_receipt_token,
    connector_set_active,
    connector_update,
)


def _provider_or_404(slug: str) -> Provider:
    try:
        return get_provider(slug)
    except UnknownProvider:
        raise Http404(_("No provider '%(slug)s'.") % {"slug": slug}) from None


def _saved(form: ConnectorForm, save: Callable[..., Connector]) -> Connector | None:
    """The connector the service saved from the form, or None with the errors put on the form."""
    return form.call_service(save, **form.service_fields()) if form.is_valid() else None


def _form_page(
    request: HttpRequest, form: ConnectorForm, title: str, status: int = 200
) -> HttpResponse:
    context = {"page_title": title, "form": form}
    if form.connector is not None:
        context["receipts"] = {
            "sent": form.provider.sends_receipts(form.connector),
            "url": form.connector.receipt_url
            or request.build_absolute_uri(form.connector.receipt_path),
        }
    return render(request, "connectors/form.html", context, status=status)


class ConnectorListView(ConsolePermissionMixin, View):
    permission_required = "connectors.view_connector"

    def get(self, request):
        return render(
            request,
            "connectors/list.html",
            {"page_title": _("Connectors"), "connectors": connector_list()},
        )


class ConnectorProviderPickView(ConsolePermissionMixin, View):
    permission_required = "connectors.add_connector"

    def get(self, request):
        return render(
            request,
            "connectors/pick.html",
            {"page_title": _("Add connector"), "providers": all_providers().values()},
        )


class ConnectorCreateView(ConsolePermissionMixin, View):
    permission_required = "connectors.add_connector"

    def get(self, request, provider: str):
        form = ConnectorForm(provider=_provider_or_404(provider))
        return _form_page(
            request, form, _("Add %(provider)s connector") % {"provider": form.provider.name}
        )

    def post(self, request, provider: str):
        form = ConnectorForm(request.POST, provider=_provider_or_404(provider))
        if connector := _saved(form, connector_create):
            messages.success(
                request,
                _("Connector “%(name)s” added at priority %(priority)s.")
                % {"name": connector.name, "priority": connector.priority},
            )
            return redirect("connectors:list")
        return _form_page(
            request,
            form,
            _("Add %(provider)s connector") % {"provider": form.provider.name},
            status=400,
        )


class ConnectorEditView(ConsolePermissionMixin, View):
    permission_required = "connectors.change_connector"

    def get(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        form = ConnectorForm(provider=_provider_or_404(connector.provider), connector=connector)
        return _form_page(request, form, _("Edit %(name)s") % {"name": connector.name})

    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        form = ConnectorForm(
            request.POST, provider=_provider_or_404(connector.provider), connector=connector
        )
        if saved := _saved(form, functools.partial(connector_update, connector=connector)):
            messages.success(request, _("Connector “%(name)s” saved.") % {"name": saved.name})
            return redirect("connectors:list")
        return _form_page(request, form, _("Edit %(name)s") % {"name": connector.name}, status=400)


class ConnectorDeleteView(ConsolePermissionMixin, View):
    permission_required = "connectors.delete_connector"

    def get(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        return render(
            request,
            "connectors/delete.html",
            {
                "page_title": _("Delete %(name)s") % {"name": connector.name},
                "connector": connector,
                "is_last_active": connector_is_last_active(connector=connector),
            },
        )

    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        name = connector.name
        connector_delete(connector=connector)
        messages.success(request, _("Connector “%(name)s” deleted.") % {"name": name})
        return redirect("connectors:list")


class ConnectorToggleView(ConsolePermissionMixin, View):
    permission_required = "accounts.manage_routing"

    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        connector_set_active(connector=connector, is_active=not connector.is_active)
        if request.htmx:
            # All rows, not just this one: each row's move buttons depend on its place in the list.
            return render(request, "connectors/_rows.html", {"connectors": connector_list()})
        return redirect("connectors:list")


class ConnectorMoveView(ConsolePermissionMixin, View):
    permission_required = "accounts.manage_routing"

    def post(self, request, pk: int, direction: str):
        connector = get_object_or_404(Connector, pk=pk)
        try:
            ordered = connector_move(connector=connector, direction=direction)
        except ValidationError as error:
            raise Http404(error.messages[0]) from None
        if request.htmx:
            return render(
                request, "connectors/_rows.html", {"connectors": ordered, "moved": connector.pk}
            )
        return redirect("connectors:list")


class ConnectorTestView(ConsolePermissionMixin, View):
    permission_required = "connectors.change_connector"

    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        result = connector_check(connector=connector)
        connector.refresh_from_db()
        if request.htmx:
            return render(request, "connectors/_check.html", {"connector": connector})
        (messages.success if result.ok else messages.error)(
            request, f"{connector.name}: {result.detail}"
        )
        return redirect("connectors:list")


class ConnectorReceiptTokenView(ConsolePermissionMixin, View):
    permission_required = "connectors.change_connector"

    def post(self, request, pk: int):
        connector = get_object_or_404(Connector, pk=pk)
        connector_regenerate_receipt_token(connector=connector)
        messages.success(
            request,
            _(
                "New receipt URL for “%(name)s”. The old one no longer works: update the "
                "provider's panel where you pasted it."
            )
            % {"name": connector.name},
        )
        return redirect("connectors:edit", pk=connector.pk)
