"""The Simulators console page: flip a simulated provider into a failure mode, edit accounts."""

import functools
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from connectors.providers import UnknownProvider, get_provider
from connectors.simulators.forms import AccountForm, ModeForm, ReceiptsForm
from connectors.simulators.models import SMPP_SLUG, SimulatedProvider, SimulatorAccount
from connectors.simulators.selectors import simulated_provider_list, simulator_received_list
from connectors.simulators.services import (
    simulated_provider_set_mode,
    simulated_provider_set_receipts,
    simulator_account_update,
    simulator_received_clear,
)

# Simulators that stand in for more than one provider.
SHARED_SIMULATOR_NAMES = {"http": gettext_lazy("Generic HTTP and FigenSoft")}


def _provider_name(slug: str) -> str:
    if slug in SHARED_SIMULATOR_NAMES:
        return SHARED_SIMULATOR_NAMES[slug]
    try:
        return get_provider(slug).name
    except UnknownProvider:
        return slug


def _address(slug: str) -> str:
    """Where connectors reach the simulator: a URL path, or the SMPP host and port."""
    if slug == SMPP_SLUG:
        return f"smpp://127.0.0.1:{settings.SMSCONSOLE_SMPP_SIMULATOR_PORT}"
    return f"/simulators/{slug}/"


def _errors_text(errors: dict[str, list]) -> str:
    return " ".join(str(message) for messages_ in errors.values() for message in messages_)


def _changed(
    request: HttpRequest, form: forms.Form, what: str, change: Callable[..., object]
) -> bool:
    """Apply the form through the service; on bad input say why `what` was not changed."""
    if not form.is_valid():
        messages.error(
            request,
            _("%(what)s not changed: %(errors)s")
            % {"what": what, "errors": _errors_text(form.errors)},
        )
        return False
    try:
        change(**form.cleaned_data)
    except ValidationError as error:
        messages.error(
            request,
            _("%(what)s not changed: %(errors)s")
            % {"what": what, "errors": _errors_text(error.message_dict)},
        )
        return False
    return True


class SimulatorIndexView(ConsolePermissionMixin, View):
    permission_required = "accounts.use_simulators"

    def get(self, request):
        cards = [
            {
                "provider": provider,
                "name": _provider_name(provider.slug),
                "mode_form": ModeForm(
                    initial={
                        "failure_mode": provider.failure_mode,
                        "slow_seconds": provider.slow_seconds,
                        "fixed_status": provider.fixed_status,
                        "fixed_body": provider.fixed_body,
                        "latency_ms": provider.latency_ms,
                    },
                    prefix=provider.slug,
                    slug=provider.slug,
                ),
                "address": _address(provider.slug),
                "receipts_form": ReceiptsForm(
                    initial={
                        "delivered_percent": provider.delivered_percent,
                        "receipt_delay_seconds": provider.receipt_delay_seconds,
                    },
                    prefix=f"{provider.slug}-receipts",
                ),
                "accounts": [
                    (
                        account,
                        AccountForm(
                            initial={
                                "balance": account.balance,
                                "sender_titles": ", ".join(account.sender_titles),
                                "receipt_url": account.receipt_url,
                            },
                            prefix=f"account{account.pk}",
                        ),
                    )
                    for account in provider.accounts.all()
                ],
                "received": simulator_received_list(slug=provider.slug, limit=10),
            }
            for provider in simulated_provider_list()
        ]
        return render(
            request, "simulators/index.html", {"page_title": _("Simulators"), "cards": cards}
        )


class SimulatorModeView(ConsolePermissionMixin, View):
    permission_required = "accounts.use_simulators"

    def post(self, request, slug: str):
        provider = get_object_or_404(SimulatedProvider, slug=slug)
        form = ModeForm(request.POST, prefix=slug, slug=slug)
        set_mode = functools.partial(simulated_provider_set_mode, provider=provider)
        if _changed(request, form, _provider_name(slug), set_mode):
            messages.success(
                request,
                _("%(name)s simulator: %(mode)s.")
                % {"name": _provider_name(slug), "mode": provider.get_failure_mode_display()},
            )
        return redirect("simulators:index")


class SimulatorReceiptsView(ConsolePermissionMixin, View):
    permission_required = "accounts.use_simulators"

    def post(self, request, slug: str):
        provider = get_object_or_404(SimulatedProvider, slug=slug)
        form = ReceiptsForm(request.POST, prefix=f"{slug}-receipts")
        set_receipts = functools.partial(simulated_provider_set_receipts, provider=provider)
        if _changed(request, form, _provider_name(slug), set_receipts):
            messages.success(
                request,
                _("%(name)s simulator: %(percent)s%% delivered, receipts after %(delay)s s.")
                % {
                    "name": _provider_name(slug),
                    "percent": provider.delivered_percent,
                    "delay": provider.receipt_delay_seconds,
                },
            )
        return redirect("simulators:index")


class SimulatorAccountView(ConsolePermissionMixin, View):
    permission_required = "accounts.use_simulators"

    def post(self, request, pk: int):
        account = get_object_or_404(SimulatorAccount.objects.select_related("provider"), pk=pk)
        form = AccountForm(request.POST, prefix=f"account{pk}")
        update = functools.partial(simulator_account_update, account=account)
        what = _("Account %(name)s") % {"name": account.username}
        if _changed(request, form, what, update):
            messages.success(
                request,
                _("Account %(name)s saved: %(balance)s credits.")
                % {"name": account.username, "balance": account.balance},
            )
        return redirect("simulators:index")


class SimulatorClearView(ConsolePermissionMixin, View):
    permission_required = "accounts.use_simulators"

    def post(self, request, slug: str):
        provider = get_object_or_404(SimulatedProvider, slug=slug)
        count = simulator_received_clear(provider=provider)
        messages.success(
            request,
            ngettext(
                "Cleared %(count)s received message of the %(name)s simulator.",
                "Cleared %(count)s received messages of the %(name)s simulator.",
                count,
            )
            % {"count": count, "name": _provider_name(slug)},
        )
        return redirect("simulators:index")
