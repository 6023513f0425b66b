"""The keyset pager: pages by id without counting, and keeps the filters in its links."""

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict

from core.pagination import keyset_page, keyset_page_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return [User.objects.create(username=f"user{n}") for n in range(5)]


def newest_first():
    return User.objects.order_by("-id")


def test_pages_walk_older_and_back_newer(users):
    first = keyset_page(newest_first(), size=2)
    second = keyset_page(newest_first(), before=first.older, size=2)
    last = keyset_page(newest_first(), before=second.older, size=2)
    back = keyset_page(newest_first(), after=last.newer, size=2)

    assert [u.username for u in first.rows] == ["user4", "user3"]
    assert first.newer is None
    assert [u.username for u in second.rows] == ["user2", "user1"]
    assert [u.username for u in last.rows] == ["user0"]
    assert last.older is None
    assert [u.username for u in back.rows] == ["user2", "user1"]


def test_page_for_a_request_keeps_its_filters_but_not_its_cursors(users):
    params = QueryDict(f"q=user&status=&before={users[3].pk}&after=")

    page = keyset_page_for(newest_first(), params, size=2)

    assert [u.username for u in page.rows] == ["user2", "user1"]
    assert page.query == "q=user"


def test_a_malformed_cursor_gives_the_first_page(users):
    page = keyset_page_for(newest_first(), QueryDict("before=abc"), size=2)

    assert [u.username for u in page.rows] == ["user4", "user3"]
