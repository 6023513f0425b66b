"""django-q2 tasks: one-line wrappers around services (a task is only a kick carrying an id)."""

from messaging.services import message_dispatch, message_dispatch_batch, message_sweep


def message_send_task(message_id: int) -> None:
    message_dispatch(message_id=message_id)


def message_sweep_task() -> int:
    return message_sweep()


def message_send_batch_task(message_ids: list[int]) -> int:
    return message_dispatch_batch(message_ids=message_ids)
