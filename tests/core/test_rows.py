"""Bulk row writes: the rows stored are the ones save() would store, on either database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.rows import objects_create, objects_insert, objects_update
from messaging.models import Attempt, Message
from messaging.services.create import _new_message
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def new_messages(count: int) -> list[Message]:
    return [
        _new_message(number=f"+90532{n:07d}", text=f"Kod {n}", sender="", kind="transactional")
        for n in range(count)
    ]


def test_objects_create_sets_each_instance_its_own_stored_pk():
    messages = new_messages(1200)  # more rows than one statement takes on SQLite

    objects_create(objects=messages)

    stored = dict(Message.objects.values_list("pk", "to"))
    assert len(stored) == 1200
    assert all(stored[message.pk] == message.to for message in messages)
    assert not any(message._state.adding for message in messages)


def test_objects_create_stamps_auto_now_add_fields_like_save():
    before = timezone.now()
    (message,) = new_messages(1)

    objects_create(objects=[message])

    stored = Message.objects.get(pk=message.pk)
    assert before <= stored.created_at <= timezone.now()
    assert stored.created_at == message.created_at


def test_repeated_and_distinct_values_are_stored_as_given():
    connector = ConnectorFactory()
    (message,) = new_messages(1)
    objects_create(objects=[message])
    started = timezone.now()
    attempts = [
        Attempt(
            message=message,
            connector=connector,
            connector_name=connector.name,
            provider=connector.provider,
            outcome="accepted" if n % 2 else "failed",
            detail=f"try {n}",
            cost=Decimal("0.0125") if n % 2 else None,
            started_at=started + timedelta(seconds=n % 3),
        )
        for n in range(6)
    ]

    objects_insert(objects=attempts)

    stored = list(
        Attempt.objects.order_by("id").values_list("outcome", "detail", "cost", "started_at")
    )
    assert stored == [(a.outcome, a.detail, a.cost, a.started_at) for a in attempts]


def test_objects_update_writes_only_the_named_fields():
    messages = new_messages(3)
    objects_create(objects=messages)
    for message in messages:
        message.provider_message_id, message.text = f"order-{message.pk}", "changed"

    objects_update(objects=messages, field_names=["provider_message_id"])

    stored = list(Message.objects.order_by("pk").values_list("provider_message_id", "text"))
    assert stored == [(f"order-{m.pk}", f"Kod {n}") for n, m in enumerate(messages)]
