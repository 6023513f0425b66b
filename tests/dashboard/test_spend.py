"""Spend per connector on the dashboard: the cost of accepted attempts, live and rolled up."""

from decimal import Decimal

import pytest
from django.urls import reverse

from connectors.providers.types import Outcome
from dashboard.selectors import dashboard_connector_stats
from dashboard.services import stats_rollup
from tests.dashboard.test_dashboard import make_attempt, make_message, start_of_today
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def test_dashboard_shows_each_connectors_spend_live_and_after_the_rollup(console):
    josms, infobip = ConnectorFactory(name="JoSMS"), ConnectorFactory(name="Infobip")
    for connector, cost in [(josms, "0.0300"), (josms, "0.0600"), (infobip, "0.0500")]:
        attempt = make_attempt(make_message(connector=connector), connector, Outcome.ACCEPTED)
        attempt.cost = Decimal(cost)
        attempt.save()
    failed = make_attempt(make_message(), infobip, Outcome.FAILED)
    failed.cost = Decimal("9")  # never charged: only accepted attempts count
    failed.save()

    live = {s.name: s.spend for s in dashboard_connector_stats(since=start_of_today())}
    stats_rollup()
    make_attempt(make_message(connector=josms), josms, Outcome.ACCEPTED)  # no price: no cost
    rolled = {s.name: s.spend for s in dashboard_connector_stats(since=start_of_today())}

    assert live == rolled == {"JoSMS": Decimal("0.0900"), "Infobip": Decimal("0.0500")}
    page = console.get(reverse("dashboard"))
    assert [cell.strip() for cell in _spend_cells(page.content.decode())] == ["0.09", "0.05"]


def _spend_cells(html: str) -> list[str]:
    marker = 'class="text-end num connector-spend">'
    return [part.split("<", 1)[0] for part in html.split(marker)[1:]]
