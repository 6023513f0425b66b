"""Django's SQLite backend with writers queued on a file lock instead of SQLite's busy handler.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls with sleeps
growing to 100 ms. With many writers (web threads, workers, the simulators) the lock then sits
free while its waiters sleep: bench.latency showed the workers' cores idle and throughput bound
by those sleeps. Here each write transaction (BEGIN …, or a write statement in autocommit) first
takes an exclusive flock on a file beside the database, held until it commits or rolls back:
waiting writers nap for at most 1 ms at a time (not SQLite's 100 ms), and fail with "database is
locked" after the connection's timeout, as SQLite's own wait does. Within a process, writers first
queue on a thread lock: one thread naps on the file lock while the others sleep until it is
handed on (16 send threads polling the file lock spent their process's time on the GIL).
A transaction BEGINs at its first statement, not on entering atomic(): the lock is then not held
while Python prepares that statement (Model.save, the ORM compiling its SQL), which was a fifth of
each hold on the single-message path. In-memory databases (tests) are left as they are.
"""

import fcntl
import os
import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base

READS = ("SELECT", "PRAGMA", "EXPLAIN", "SAVEPOINT", "RELEASE")
_process_locks: dict[str, threading.Lock] = {}  # per database file, this process's writers
os.register_at_fork(after_in_child=_process_locks.clear)  # a lock held at fork stays held


class QueuedWriterConnection(sqlite3.Connection):
    """A connection that holds the writer lock (when it has one) from BEGIN or a write to its end."""

    lock_fd: int | None = None
    lock_held = False
    lock_timeout = 20.0  # seconds, the connection's timeout option: then "database is locked"
    lock_path = ""
    turn: "threading.Lock | None" = None  # this process's lock for the file, while held
    begin_pending = ""  # the BEGIN of an atomic block that has run no statement yet

    def writer_lock_take(self) -> None:
        """Wait for this process's turn, then for the file lock in naps of at most 1 ms, up to the
        timeout: a writer stuck behind a lock that is not released (a transaction waiting on this
        very process) fails as SQLite's own wait would, rather than hanging."""
        if self.lock_fd is None or self.lock_held:
            return
        deadline = time.monotonic() + self.lock_timeout
        turn = _process_locks.setdefault(self.lock_path, threading.Lock())
        if not turn.acquire(timeout=self.lock_timeout):
            self._locked_out()
        nap = 0.0002
        while True:
            try:
                fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    turn.release()
                    self._locked_out()
                time.sleep(nap)
                nap = min(nap * 2, 0.001)
        self.lock_held, self.turn = True, turn

    def _locked_out(self) -> None:
        raise sqlite3.OperationalError(
            f"database is locked: another writer held it for {self.lock_timeout:g} s"
        )

    def writer_lock_release(self) -> None:
        if self.lock_held:
            self.lock_held = False
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
            self.turn.release()

    def commit(self) -> None:
        self.begin_pending = ""
        try:
            super().commit()
        finally:
            self.writer_lock_release()

    def rollback(self) -> None:
        self.begin_pending = ""
        try:
            super().rollback()
        finally:
            self.writer_lock_release()

    def close(self) -> None:
        self.begin_pending = ""
        try:
            super().close()
        finally:
            self.writer_lock_release()
            if self.lock_fd is not None:
                os.close(self.lock_fd)
                self.lock_fd = None


class QueuedWriterCursor(base.SQLiteCursorWrapper):
    """Takes the writer lock for BEGIN (kept until the end) and around an autocommitted write."""

    def execute(self, query, params=None):
        self._begin_if_pending()
        return self._locked(super().execute, query, params)

    def executemany(self, query, param_list):
        self._begin_if_pending()
        return self._locked(super().executemany, query, param_list)

    def _begin_if_pending(self) -> None:
        if begin := self.connection.begin_pending:
            self.connection.begin_pending = ""
            self._locked(super().execute, begin, None)

    def _locked(self, run, query, params):
        connection = self.connection
        if connection.lock_fd is None or connection.in_transaction:
            return run(query, params)
        statement = query.lstrip()[:9].upper()
        if statement.startswith(READS):
            return run(query, params)
        connection.writer_lock_take()
        try:
            result = run(query, params)
        except BaseException:
            connection.writer_lock_release()
            raise
        if not statement.startswith("BEGIN"):  # an autocommitted write is over
            connection.writer_lock_release()
        return result


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        return {**super().get_connection_params(), "factory": QueuedWriterConnection}

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            path = f"{self.settings_dict['NAME']}-writer.lock"
            connection.lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            connection.lock_timeout = float(conn_params.get("timeout", 5.0))
            connection.lock_path = path
        return connection

    def _start_transaction_under_autocommit(self):
        """Leave the BEGIN to the transaction's first statement (see the module's docstring)."""
        if self.connection.lock_fd is None:
            super()._start_transaction_under_autocommit()
        else:
            self.connection.begin_pending = f"BEGIN {self.transaction_mode or ''}".strip()

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=QueuedWriterCursor)
