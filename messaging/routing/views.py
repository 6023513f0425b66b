"""The Routes page: each country's connector order and rules, "Where would this number go?",
and a country's route, send window and footer (editing needs the routing permission)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from connectors.routing import ROUTING_PERMISSION, user_may_manage_routing
from connectors.selectors import connector_list
from core.phone import country_choices, country_named
from messaging.routing.forms import CountryRulesForm, ExplainForm
from messaging.routing.selectors import (
    country_footer,
    country_route,
    country_time_zone,
    country_window,
    number_explain,
    routes_overview,
)
from messaging.routing.services import country_rules_save


def _explanation(form: ExplainForm):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return number_explain(
        number=data["to"], kind=data["kind"], sender=data["sender"], text=data["text"]
    )


class RoutesView(ConsolePermissionMixin, View):
    permission_required = "connectors.view_connector"

    def get(self, request):
        if region := request.GET.get("country"):  # "Set up a country"
            return redirect("routes:country", region=_country_or_404(region).region)
        form = ExplainForm(request.GET if "to" in request.GET else None)
        countries, anywhere = routes_overview()
        context = {
            "page_title": _("Routes"),
            "countries": countries,
            "anywhere": anywhere,
            "form": form,
            "explanation": _explanation(form) if form.is_bound else None,
            "country_choices": country_choices(),
            "may_edit": user_may_manage_routing(request.user),
        }
        return render(request, "routes/routes.html", context)


class RouteExplainView(ConsolePermissionMixin, View):
    """The answer box, swapped in by htmx (the Routes page without htmx shows it too)."""

    permission_required = "connectors.view_connector"

    def get(self, request):
        if not request.htmx:
            return redirect(f"{reverse('routes:list')}?{request.GET.urlencode()}")
        form = ExplainForm(request.GET)
        return render(
            request, "routes/_explain.html", {"form": form, "explanation": _explanation(form)}
        )


def _country_or_404(region: str):
    country = country_named(region)
    if country is None:
        raise Http404(_("No country '%(code)s'.") % {"code": region})
    return country


class CountryRulesView(ConsolePermissionMixin, View):
    permission_required = {"GET": "connectors.view_connector", "POST": ROUTING_PERMISSION}

    def get(self, request, region: str):
        country = _country_or_404(region)
        return self._render(request, country, self._form(country))

    def post(self, request, region: str):
        country = _country_or_404(region)
        form = self._form(country, data=request.POST)
        if form.is_valid():
            try:
                country_rules_save(
                    country=country.region, user=request.user, **form.service_fields()
                )
            except ValidationError as error:
                for key, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(
                    request, _("Routing rules for %(country)s saved.") % {"country": country.name}
                )
                return redirect("routes:list")
        return self._render(request, country, form, status=400)

    def _form(self, country, data=None) -> CountryRulesForm:
        route = country_route(region=country.region)
        window = country_window(region=country.region)
        initial = {
            "others_after": route.others_after if route else True,
            "window_start": window.start if window else None,
            "window_end": window.end if window else None,
            "time_zone": window.time_zone if window else country_time_zone(country),
            "enforced": window.enforced if window else False,
            "footer": country_footer(region=country.region),
        }
        if route:
            initial.update({f"step_{s.connector_id}": s.position + 1 for s in route.steps.all()})
        return CountryRulesForm(
            data, initial=initial, country=country, connectors=list(connector_list())
        )

    def _render(self, request, country, form, status=200):
        context = {
            "page_title": _("Routing rules: %(country)s") % {"country": country.name},
            "country": country,
            "form": form,
            "may_edit": user_may_manage_routing(request.user),
        }
        return render(request, "routes/country.html", context, status=status)
