"""Where a campaign's recipients come from: one CSV upload, pasted numbers or an API list."""

from collections.abc import Iterable, Iterator, Mapping
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from messaging.campaigns import intake, rendering


class UploadTooLarge(ValidationError):
    """A CSV upload over SMSCONSOLE_CAMPAIGN_MAX_BYTES: the console and the API answer 413."""


def upload_size_check(size: int) -> None:
    """Refuse an upload over SMSCONSOLE_CAMPAIGN_MAX_BYTES."""
    limit = settings.SMSCONSOLE_CAMPAIGN_MAX_BYTES
    if size > limit:
        raise UploadTooLarge(
            {
                "file": [
                    gettext(
                        "The file is %(size)s MB; at most %(limit)s MB can be uploaded. Split the "
                        "list into smaller files."
                    )
                    % {"size": f"{size / 1_048_576:,.1f}", "limit": f"{limit / 1_048_576:,.1f}"}
                ]
            }
        )


def csv_header_check(rows: Iterator[intake.RawRow]) -> None:
    """Raise the header's problems now; a worker reads the rows later."""
    try:
        next(rows, None)
    finally:
        rows.close()


def recipient_rows(
    *, csv_file: IO[bytes] | None, pasted: str, recipients: Iterable[Mapping] | None, text: str
) -> tuple[Iterable[intake.RawRow], str]:
    """The rows of the one recipient source given, and a description of it."""
    given = [
        name
        for name, value in (
            ("file", csv_file),
            ("pasted", pasted.strip()),
            ("recipients", recipients),
        )
        if value
    ]
    if not given:
        raise ValidationError(
            {"recipients": [gettext("Add recipients: upload a CSV file or paste numbers.")]}
        )
    if len(given) > 1:
        raise ValidationError(
            {
                "recipients": [
                    gettext("Give recipients one way only (got %(sources)s).")
                    % {"sources": " + ".join(given)}
                ]
            }
        )
    names = rendering.placeholders_in(text)
    if csv_file:
        return intake.csv_rows(
            csv_file, placeholders=names
        ), f"CSV upload {getattr(csv_file, 'name', '')}".strip()
    if pasted.strip():
        if names:
            raise ValidationError(
                {
                    "pasted": [
                        gettext(
                            "The text has placeholders (%(placeholders)s) and pasted numbers "
                            "carry no values: upload a CSV with a column for each placeholder."
                        )
                        % {"placeholders": ", ".join("{{" + n + "}}" for n in names)}
                    ]
                }
            )
        return intake.pasted_rows(pasted), "Pasted numbers"
    if not isinstance(recipients, list):
        raise ValidationError(
            {
                "recipients": [
                    gettext('recipients must be a list of {"msisdn": "+90…", "params": {…}}.')
                ]
            }
        )
    return intake.listed_rows(recipients), "API recipient list"
