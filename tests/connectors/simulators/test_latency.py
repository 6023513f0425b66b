"""Simulator latency: the default setting, a simulator's own value, the jitter's bounds, and the
Simulators page that edits it."""

import pytest

from connectors.simulators.models import SimulatedProvider
from connectors.simulators.selectors import simulated_latency_seconds
from connectors.simulators.services import simulated_provider_ensure

pytestmark = pytest.mark.django_db


def draws(provider: SimulatedProvider, count: int = 500) -> list[float]:
    return [simulated_latency_seconds(provider=provider) for _ in range(count)]


def test_a_blank_latency_answers_after_the_default_setting(settings):
    settings.SMSCONSOLE_SIMULATOR_LATENCY_MS = 150
    settings.SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = 0
    provider = simulated_provider_ensure(slug="jetsms")
    assert provider.latency_ms is None
    assert set(draws(provider, 20)) == {0.15}


def test_a_simulators_own_latency_wins_over_the_default(settings):
    settings.SMSCONSOLE_SIMULATOR_LATENCY_MS = 150
    settings.SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = 0
    provider = SimulatedProvider(slug="josms", latency_ms=40)
    assert set(draws(provider, 20)) == {0.04}


def test_jitter_stays_within_its_percentage_either_way(settings):
    settings.SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = 20
    values = draws(SimulatedProvider(slug="jetsms", latency_ms=100))
    assert all(0.08 <= value <= 0.12 for value in values)
    assert min(values) < 0.09  # spread over the range, not one value
    assert max(values) > 0.11


def test_zero_latency_answers_at_once(settings):
    settings.SMSCONSOLE_SIMULATOR_LATENCY_MS = 0
    assert set(draws(SimulatedProvider(slug="jetsms"), 20)) == {0.0}


def _post_mode(console, **fields):
    data = {"failure_mode": "none", "slow_seconds": "15", "fixed_status": "200", **fields}
    return console.post(
        "/simulators/jetsms/mode/",
        {f"jetsms-{key}": value for key, value in data.items()},
        follow=True,
    )


def test_simulators_page_sets_the_latency_and_shows_it_on_the_card(console):
    simulated_provider_ensure(slug="jetsms")
    _post_mode(console, latency_ms="150")
    page = console.get("/simulators/").content.decode()
    assert SimulatedProvider.objects.get(slug="jetsms").latency_ms == 150
    assert "Answer after (ms)" in page
    assert "answers after 150 ms" in page


def test_simulators_page_blank_latency_goes_back_to_the_default(console, settings):
    settings.SMSCONSOLE_SIMULATOR_LATENCY_MS = 25
    simulated_provider_ensure(slug="jetsms")
    SimulatedProvider.objects.filter(slug="jetsms").update(latency_ms=300)
    _post_mode(console, latency_ms="")
    page = console.get("/simulators/").content.decode()
    assert SimulatedProvider.objects.get(slug="jetsms").latency_ms is None
    assert "answers after 25 ms" in page


def test_simulators_page_refuses_a_negative_latency_and_keeps_the_old_one(console):
    simulated_provider_ensure(slug="jetsms")
    SimulatedProvider.objects.filter(slug="jetsms").update(latency_ms=300)
    response = _post_mode(console, latency_ms="-5")
    assert SimulatedProvider.objects.get(slug="jetsms").latency_ms == 300
    assert "not changed" in response.content.decode()
