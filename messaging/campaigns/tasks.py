"""django-q2 tasks: one-line wrappers around the campaign services."""

from datetime import datetime

from messaging.campaigns.services import (
    campaign_begin,
    campaign_import_upload,
    campaign_send_chunk,
    campaign_sweep,
)


def campaign_begin_task(campaign_id: int) -> bool:
    return campaign_begin(campaign_id=campaign_id)


def campaign_send_chunk_task(campaign_id: int) -> int:
    return campaign_send_chunk(campaign_id=campaign_id)


def campaign_sweep_task() -> int:
    return campaign_sweep()


def campaign_import_upload_task(
    campaign_id: int, start: bool = False, scheduled_at: datetime | None = None
) -> bool:
    return campaign_import_upload(campaign_id=campaign_id, start=start, scheduled_at=scheduled_at)
