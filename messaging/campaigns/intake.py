"""Recipient sources read as a stream of rows: a CSV upload, pasted numbers or an API list.

Nothing here touches the database; the services turn rows into recipients in batches. A CSV
is read line by line through a text wrapper, never whole, so a large upload costs little memory.
"""

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# Header names (case-insensitive) taken as the phone column, the first found wins.
PHONE_COLUMNS = (
    "phone",
    "msisdn",
    "mobile",
    "number",
    "phone_number",
    "gsm",
    "telefon",
    "tel",
    "to",
)
PASTE_SEPARATORS = re.compile(r"[,;\t]")


@dataclass
class RawRow:
    """One recipient as given: its line, the number as typed and its placeholder values."""

    line: int
    number: str
    params: dict[str, Any] = field(default_factory=dict)


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _phone_column(columns: list[str]) -> int:
    lowered = [column.strip().lower() for column in columns]
    for name in PHONE_COLUMNS:
        if name in lowered:
            return lowered.index(name)
    raise ValidationError(
        {
            "file": [
                gettext(
                    "The header row has no phone column (found: %(columns)s). Name the column of "
                    "numbers one of: %(names)s."
                )
                % {"columns": ", ".join(columns) or "—", "names": ", ".join(PHONE_COLUMNS)}
            ]
        }
    )


def csv_rows(binary: IO[bytes], *, placeholders: list[str]) -> Iterator[RawRow]:
    """Rows of a CSV upload: header row, UTF-8 with or without BOM, ';' or ',' separated.

    The header must name a phone column and a column for every placeholder; otherwise the whole
    upload is refused before any row is read.
    """
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        header_line = text.readline()
        if not header_line.strip():
            raise ValidationError(
                {
                    "file": [
                        gettext(
                            "The file is empty: the first line must be a header row, e.g. "
                            "phone,first_name."
                        )
                    ]
                }
            )
        delimiter = _delimiter(header_line)
        # chain, not a generator: closing an abandoned reader must not close the detached text.
        reader = csv.reader(itertools.chain([header_line], text), delimiter=delimiter)
        columns = [column.strip() for column in next(reader)]
        phone_at = _phone_column(columns)
        if absent := [name for name in placeholders if name not in columns]:
            raise ValidationError(
                {
                    "file": [
                        gettext(
                            "The file has no column for %(placeholders)s. Add a column named "
                            "exactly like each placeholder (columns found: %(columns)s)."
                        )
                        % {
                            "placeholders": ", ".join("{{" + n + "}}" for n in absent),
                            "columns": ", ".join(columns),
                        }
                    ]
                }
            )
        wanted = [(columns.index(name), name) for name in placeholders]
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not recipients
            number = cells[phone_at] if phone_at < len(cells) else ""
            params = {name: cells[at].strip() if at < len(cells) else "" for at, name in wanted}
            yield RawRow(line=reader.line_num, number=number, params=params)
    except UnicodeDecodeError:
        raise ValidationError(
            {
                "file": [
                    gettext(
                        "The file is not UTF-8 text. Save it as “CSV UTF-8” (Excel) or UTF-8 and "
                        "upload it again."
                    )
                ]
            }
        ) from None
    except csv.Error as error:
        raise ValidationError(
            {"file": [gettext("The file is not a readable CSV: %(error)s.") % {"error": error}]}
        ) from None
    finally:
        text.detach()


def pasted_rows(pasted: str) -> Iterator[RawRow]:
    """Numbers pasted one per line (commas, semicolons and tabs also separate them)."""
    for line, content in enumerate(pasted.splitlines(), start=1):
        for number in PASTE_SEPARATORS.split(content):
            if number.strip():
                yield RawRow(line=line, number=number)


def listed_rows(recipients: Iterable[Mapping[str, Any]]) -> Iterator[RawRow]:
    """Recipients given as [{"msisdn": ..., "params": {...}}]; the line is the item's position."""
    for position, item in enumerate(recipients, start=1):
        if not isinstance(item, Mapping):
            yield RawRow(line=position, number="")
            continue
        params = item.get("params") or {}
        yield RawRow(
            line=position,
            number=str(item.get("msisdn") or ""),
            params=dict(params) if isinstance(params, Mapping) else {},
        )
