"""Opt-outs moved from the inbox app to messaging: the state moves, the table and its rows stay."""

from django.db import connection

BEFORE = {"inbox": "0002_unread_index", "messaging": "0003_worker_heartbeat"}


def _foreign_keys(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["foreign_key"]]


def test_existing_optouts_move_to_messaging_with_their_table_rows_and_history(migrate):
    old = migrate(BEFORE)
    connector = old.get_model("inbox", "ReceiveConnector").objects.create(name="jtel")
    stop = old.get_model("inbox", "InboundMessage").objects.create(
        connector=connector, receiver="4455", sender="+905321234567", text="STOP"
    )
    old.get_model("inbox", "OptOut").objects.create(
        number="+905321234567", keyword="STOP", inbound_message=stop
    )
    content_types = old.get_model("contenttypes", "ContentType").objects
    content_types.filter(app_label="messaging", model="optout").delete()
    content_types.get_or_create(app_label="inbox", model="optout")
    old.get_model("smsconsole", "AuditEntry").objects.create(
        actor="sms:+905321234567", action="create", target_type="inbox.optout", target_id="1"
    )

    new = migrate({})

    optout = new.get_model("messaging", "OptOut").objects.get()
    assert (optout.number, optout.keyword, optout.inbound_message_id) == (
        "+905321234567",
        "STOP",
        stop.pk,
    )
    assert new.get_model("messaging", "OptOut")._meta.db_table == "inbox_optout"
    moved = new.get_model("contenttypes", "ContentType").objects.filter(model="optout")
    assert list(moved.values_list("app_label", flat=True)) == ["messaging"]
    audit = new.get_model("smsconsole", "AuditEntry").objects.get()
    assert audit.target_type == "messaging.optout"
    # Messaging sits below the inbox: no foreign key, so the received SMS may go on its own.
    assert _foreign_keys("inbox_optout") == []
    new.get_model("inbox", "InboundMessage").objects.filter(pk=stop.pk).delete()
    assert new.get_model("messaging", "OptOut").objects.get().inbound_message_id == stop.pk


def test_the_move_can_be_undone(migrate):
    migrate({})

    old = migrate(BEFORE)

    assert old.get_model("inbox", "OptOut")._meta.db_table == "inbox_optout"
    assert _foreign_keys("inbox_optout") == [["inbound_message_id"]]
