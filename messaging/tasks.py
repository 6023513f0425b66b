"""django-q2 tasks: one-line wrappers around services (a task is only a kick carrying an id)."""

from messaging.services import (
    delivery_reports_poll,
    delivery_reports_read,
    delivery_reports_sweep,
    message_dispatch,
    message_dispatch_batch,
    message_event_deliver,
    message_events_sweep,
    message_sweep,
)


def message_send_task(message_id: int) -> None:
    message_dispatch(message_id=message_id)


def message_sweep_task() -> int:
    return message_sweep()


def message_send_batch_task(message_ids: list[int]) -> int:
    return message_dispatch_batch(message_ids=message_ids)


def message_event_deliver_task(event_id: int) -> None:
    message_event_deliver(event_id=event_id)


def message_events_sweep_task() -> int:
    return message_events_sweep()


def delivery_report_process_task(report_id: int) -> int:
    return delivery_reports_read(report_id=report_id)


def delivery_reports_poll_task() -> int:
    return delivery_reports_poll()


def delivery_reports_sweep_task() -> int:
    return delivery_reports_sweep()
