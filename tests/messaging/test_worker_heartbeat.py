from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, MessageStatus
from messaging.selectors import worker_stall
from messaging.services import message_sweep


def _waiting_message(minutes_ago: int) -> Message:
    due = timezone.now() - timedelta(minutes=minutes_ago)
    return Message.objects.create(
        to="+905321234567", text="hi", status=MessageStatus.QUEUED, due_at=due
    )


@pytest.mark.django_db
def test_worker_stall_is_none_when_nothing_waits():
    assert worker_stall() is None


@pytest.mark.django_db
def test_worker_stall_reported_when_messages_wait_and_no_worker_reported():
    _waiting_message(minutes_ago=10)
    assert worker_stall() is not None


@pytest.mark.django_db
def test_worker_stall_cleared_by_a_sweep(monkeypatch):
    _waiting_message(minutes_ago=10)
    monkeypatch.setattr("messaging.services.leases.task_enqueue", lambda *args: None)
    message_sweep()
    assert worker_stall() is None


@pytest.mark.django_db
def test_console_warns_when_messages_wait_without_a_worker(console):
    _waiting_message(minutes_ago=10)
    page = console.get(reverse("connectors:list")).content.decode()
    assert "background worker has not reported" in page
    assert "manage.py qcluster" in page


@pytest.mark.django_db
def test_console_shows_no_worker_warning_when_nothing_waits(console):
    page = console.get(reverse("connectors:list")).content.decode()
    assert "background worker has not reported" not in page
