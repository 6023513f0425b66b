"""A large CSV upload kept in the database, in parts, until a worker imports it.

The database, not a local disk: workers may run on other machines. Parts of 1 MB: neither the web
process nor the worker ever holds the whole file in memory.
"""

import io
from typing import IO

from messaging.campaigns.models import Campaign, CampaignUploadPart

PART_BYTES = 1024 * 1024


def upload_size(upload: IO[bytes]) -> int:
    """Bytes in an uploaded file (Django's uploads know it; other file objects are measured)."""
    if (size := getattr(upload, "size", None)) is not None:
        return size
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def upload_store(*, campaign: Campaign, upload: IO[bytes]) -> int:
    """Store the upload with the campaign; the number of lines after its header row."""
    upload.seek(0)
    lines = 0
    last = b""
    for number, data in enumerate(iter(lambda: upload.read(PART_BYTES), b"")):
        CampaignUploadPart.objects.create(campaign=campaign, number=number, data=data)
        lines += data.count(b"\n")
        last = data
    if last and not last.endswith(b"\n"):
        lines += 1  # the last line has no line break
    return max(lines - 1, 0)


class _StoredUpload(io.RawIOBase):
    """The stored parts read in order, one part in memory at a time."""

    def __init__(self, campaign: Campaign) -> None:
        self._part_ids = list(
            CampaignUploadPart.objects.filter(campaign=campaign)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        self._data = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._data:
            if not self._part_ids:
                return 0
            part = CampaignUploadPart.objects.get(pk=self._part_ids.pop(0))
            self._data = memoryview(bytes(part.data))
        count = min(len(target), len(self._data))
        target[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def upload_open(*, campaign: Campaign) -> IO[bytes]:
    """The stored upload as a binary file."""
    return io.BufferedReader(_StoredUpload(campaign), buffer_size=64 * 1024)


def upload_delete(*, campaign: Campaign) -> None:
    """Drop the stored upload once it is imported (or cannot be)."""
    CampaignUploadPart.objects.filter(campaign=campaign).delete()
