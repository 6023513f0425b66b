"""The SQLite backend queues writers on a file lock: a writer waits for the one in its transaction
(however long) instead of SQLite's busy handler, here set to give up at once."""

import fcntl
import os
import threading
import time

import pytest
from django.db import OperationalError, connections, transaction

from core.sqlite.base import DatabaseWrapper


def wrapper(path, timeout: float = 5) -> DatabaseWrapper:
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "core.sqlite",
        "NAME": str(path),
        # No busy wait in SQLite: only the writer lock (up to the timeout) makes a writer wait.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
            "init_command": "PRAGMA busy_timeout=0",
        },
    }
    return DatabaseWrapper(settings_dict, alias=f"writer-{time.monotonic_ns()}")


@pytest.fixture(autouse=True)
def unblocked(django_db_blocker):
    """These tests open databases of their own, outside the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queued.sqlite3"
    setup = wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE note (text TEXT)")
    setup.close()
    return path


def write_in_thread(path, text: str, waited: list, timeout: float = 5) -> threading.Thread:
    def write() -> None:
        other = wrapper(path, timeout)
        started = time.monotonic()
        try:
            with other.cursor() as cursor:
                cursor.execute("INSERT INTO note (text) VALUES (%s)", [text])
        except OperationalError as error:
            waited.append(error)
        else:
            waited.append(time.monotonic() - started)
        other.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_an_autocommitted_write_waits_for_the_open_write_transaction(database):
    first = wrapper(database)
    cursor = first.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    cursor.execute("INSERT INTO note (text) VALUES (%s)", ["first"])
    waited: list[float] = []

    thread = write_in_thread(database, "second", waited)
    time.sleep(0.3)
    assert waited == [], "the second writer went in while the first held the database"
    first.connection.commit()
    thread.join(5)

    assert len(waited) == 1
    assert waited[0] >= 0.25
    with first.cursor() as check:
        check.execute("SELECT text FROM note ORDER BY rowid")
        assert [text for (text,) in check.fetchall()] == ["first", "second"]
    first.close()


def test_a_rolled_back_transaction_lets_the_next_writer_in(database):
    first = wrapper(database)
    cursor = first.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    waited: list[float] = []

    thread = write_in_thread(database, "after", waited)
    first.connection.rollback()
    thread.join(5)

    assert len(waited) == 1
    first.close()


def test_reads_do_not_wait_for_a_writer(database):
    first = wrapper(database)
    first.cursor().execute("BEGIN IMMEDIATE")
    reader = wrapper(database)

    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone() == (0,)
    first.connection.rollback()
    first.close()
    reader.close()


def test_a_writer_behind_a_lock_held_past_the_timeout_fails_as_sqlite_would(database):
    first = wrapper(database)
    first.cursor().execute("BEGIN IMMEDIATE")
    waited: list = []

    write_in_thread(database, "late", waited, timeout=0.3).join(5)

    (error,) = waited
    assert isinstance(error, OperationalError)
    assert "database is locked" in str(error)
    first.connection.rollback()
    first.close()


def test_a_writer_waits_for_another_process_holding_the_file_lock(database):
    # flock on a file opened apart conflicts like another process's (its own open file).
    held = os.open(f"{database}-writer.lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    waited: list[float] = []

    thread = write_in_thread(database, "after", waited)
    time.sleep(0.3)
    assert waited == [], "the writer went in while another process held the lock"
    fcntl.flock(held, fcntl.LOCK_UN)
    os.close(held)
    thread.join(5)

    assert len(waited) == 1
    assert waited[0] >= 0.25


@pytest.fixture
def registered(database):
    """A connection to the database under an alias of its own, for transaction.atomic(using=…)."""
    connection = wrapper(database)
    connections[connection.alias] = connection
    yield connection
    connection.close()
    del connections[connection.alias]


def insert(connection: DatabaseWrapper, text: str, *, then_fail: bool = False) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("INSERT INTO note (text) VALUES (%s)", [text])
        if then_fail:
            raise RuntimeError(text)


def texts(connection: DatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM note ORDER BY rowid")
        return [text for (text,) in cursor.fetchall()]


def test_an_atomic_block_takes_the_writer_lock_at_its_first_statement(registered):
    path, waited = registered.settings_dict["NAME"], []
    with transaction.atomic(using=registered.alias):
        # No statement yet: another writer goes in at once rather than waiting for this block.
        write_in_thread(path, "other", waited, timeout=0.3).join(5)
        assert len(waited) == 1
        assert not isinstance(waited[0], OperationalError), waited
        insert(registered, "mine")
        # From its first statement on, the block holds the database until it commits.
        write_in_thread(path, "late", waited, timeout=0.3).join(5)
        assert isinstance(waited[1], OperationalError), waited

    assert texts(registered) == ["other", "mine"]


def test_an_atomic_block_rolled_back_after_its_first_statement_keeps_nothing(registered):
    with pytest.raises(RuntimeError):
        insert(registered, "undone", then_fail=True)
    waited: list = []

    write_in_thread(registered.settings_dict["NAME"], "after", waited, timeout=0.3).join(5)

    assert texts(registered) == ["after"]


def test_a_nested_atomic_block_begins_the_transaction_before_its_savepoint(registered):
    with transaction.atomic(using=registered.alias):
        insert(registered, "inner")
        with pytest.raises(RuntimeError):
            insert(registered, "rolled back", then_fail=True)
        assert registered.connection.in_transaction

    assert texts(registered) == ["inner"]
