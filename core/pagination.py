"""Keyset pages of any queryset ordered newest id first: no COUNT, stable while rows arrive."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

PAGE_SIZE = 50
CURSORS = ("before", "after")


@dataclass
class KeysetPage:
    """One page and the cursors to its neighbours (None when there is none).

    Rendered by templates/partials/pager.html.
    """

    rows: list[Any] = field(default_factory=list)
    newer: int | None = None  # pass as ?after= to see newer rows
    older: int | None = None  # pass as ?before= to see older rows
    query: str = ""  # the request's other parameters (filters), urlencoded, for the links


def keyset_page(
    queryset: QuerySet,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """A keyset page: LIMIT size+1 on the id index tells whether more exist, without counting."""
    if after is not None:
        rows = list(queryset.filter(id__gt=after).reverse()[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        older = rows[-1].pk if rows else None
        return KeysetPage(rows=rows, newer=rows[0].pk if more_newer and rows else None, older=older)
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    rows = list(queryset[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].pk if before is not None and rows else None
    return KeysetPage(rows=rows, newer=newer, older=rows[-1].pk if more_older else None)


def keyset_page_for(
    queryset: QuerySet, params: Mapping[str, str], *, size: int = PAGE_SIZE
) -> KeysetPage:
    """The page a request's ?before= or ?after= asks for (a malformed cursor means the first).

    The page keeps the request's other non-empty parameters, so its links keep the filters.
    """
    page = keyset_page(
        queryset,
        before=_cursor(params.get("before")),
        after=_cursor(params.get("after")),
        size=size,
    )
    page.query = urlencode({k: v for k, v in params.items() if k not in CURSORS and v})
    return page


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
