"""A state store: every subject's saved state in one SQLite file, changed in one transaction.

Input: the path of the store (created on first use) and, per subject, the state
text engine/state.py writes (Carry.to_json(), exactly as a state file holds it).
Output: a StoreRun inside `transaction()`: get(subject) reads a subject's state
(None before its first run), put(subject, text, next_period) stages its new one; leaving the
block normally commits every staged state at once, an exception rolls all of them
back. Errors: SlaError with SLA409 (not a store, or it cannot be opened), SLA410
(another run held the store longer than `wait` seconds), SLA411 (it cannot be
written: a read-only file or folder, a full disk).

Why SQLite (the standard library's sqlite3): one file for any number of
subjects; transactions, so a run's states are committed together, after its
output, or not at all; a write lock that serialises runs (BEGIN IMMEDIATE: a
second run waits, then reads what the first committed, so a retried run finds
its periods billed, SLA405, instead of billing them twice); concurrent readers
while a run writes (write-ahead log); and a crash, even kill -9 or a power cut,
leaves the last committed state (synchronous=FULL: a commit is on disk before it
returns). The file is marked as a slarules store (`PRAGMA application_id`), so
another program's database is refused rather than written into.

Layout (`PRAGMA user_version` 1): one table,
  states(subject TEXT PRIMARY KEY, state TEXT, next_period TEXT, saved_at TEXT)
`next_period` (the period the subject's next bill starts with) and `saved_at`
(UTC, ISO 8601) are there for queries; `state` is what slarules reads.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from ..core.diagnostics import Diagnostic, SlaError
from .files import WAIT

APPLICATION_ID = 0x534C4152  # "SLAR"
VERSION = 1
_SCHEMA = ("CREATE TABLE states (subject TEXT PRIMARY KEY NOT NULL, state TEXT NOT NULL, next_period TEXT, "
           "saved_at TEXT NOT NULL) WITHOUT ROWID")


class StoreRun:
    """The store inside one transaction: read and stage subjects' states."""

    def __init__(self, connection: sqlite3.Connection, path: str):
        self._connection, self.path = connection, path

    def get(self, subject: str) -> str | None:
        row = _run(self.path, lambda: self._connection.execute(
            "SELECT state FROM states WHERE subject = ?", (subject,)).fetchone())
        return None if row is None else row[0]

    def put(self, subject: str, state: str, next_period: str | None) -> None:
        """Stage `state` (a Carry's JSON, whose next period is `next_period`) as the subject's;
        committed when the transaction ends."""
        saved_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        _run(self.path, lambda: self._connection.execute(
            "INSERT INTO states (subject, state, next_period, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (subject) DO UPDATE SET state = excluded.state, next_period = excluded.next_period, "
            "saved_at = excluded.saved_at", (subject, state, next_period, saved_at)))

    def subjects(self) -> list[str]:
        return [row[0] for row in _run(self.path, lambda: self._connection.execute(
            "SELECT subject FROM states ORDER BY subject").fetchall())]


@contextmanager
def transaction(path: str | os.PathLike, wait: float | None = WAIT) -> Iterator[StoreRun]:
    """Open (or create) the store at `path`, take its write lock (waiting up to `wait` seconds for
    another run, SLA410 after), and hand it over; commit when the block ends normally, roll back
    on an exception."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _error("SLA409", path, f"cannot open state store {path}: no folder {folder}")
    if os.path.isdir(path):
        raise _error("SLA409", path, f"cannot open state store {path}: it is a folder")
    # Read-only is the mode, as for every file slarules writes (files.py): refused even to root.
    for what, where in (("file", path), ("folder", folder)):
        if os.path.exists(where) and not os.stat(where).st_mode & 0o222:
            raise _error("SLA411", path, f"cannot write state store {path}: its {what} is read-only",
                         "nothing was evaluated: every subject's state is as it was")
    try:
        connection = sqlite3.connect(path, timeout=WAIT if wait is None else wait, isolation_level=None)
    except sqlite3.Error as err:
        raise _error("SLA409", path, f"cannot open state store {path}: {err}") from None
    try:
        _begun(connection, path, WAIT if wait is None else wait)
        try:
            yield StoreRun(connection, path)
        except BaseException:
            connection.rollback()
            raise
        _run(path, lambda: connection.execute("COMMIT"))
    finally:
        connection.close()


def _begun(connection: sqlite3.Connection, path: str, wait: float) -> None:
    """_begin, tried again until `wait` runs out: while another run switches a new store to its
    write-ahead log, SQLite answers "locked" at once, without waiting (its busy handler is not
    called there), which six runs creating one store together met about once in six races."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return _run(path, lambda: _begin(connection, path))
        except SlaError as err:
            if err.diagnostics[0].code != "SLA410" or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _begin(connection: sqlite3.Connection, path: str) -> None:
    """Refuse another program's database before changing anything in it; set the journal up, take
    the write lock, and create the layout in a new store (checked again under the lock)."""
    _is_new(connection, path)
    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        connection.execute("PRAGMA journal_mode = WAL")  # readers go on while a run writes
    connection.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns
    connection.execute("BEGIN IMMEDIATE")
    try:
        if _is_new(connection, path):
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {VERSION}")
            connection.execute(_SCHEMA)
    except BaseException:
        connection.rollback()
        raise


def _is_new(connection: sqlite3.Connection, path: str) -> bool:
    """Whether the database is empty (a new store); SLA409 unless it is empty or a store."""
    # One statement, so one snapshot: read apart, a store another run creates meanwhile could
    # show its tables without its mark and be taken for another program's database.
    application, version, tables = connection.execute(
        "SELECT application_id, user_version, (SELECT count(*) FROM sqlite_master) "
        "FROM pragma_application_id(), pragma_user_version()").fetchone()
    if application == 0 and version == 0 and tables == 0:
        return True
    if application != APPLICATION_ID:
        raise _error("SLA409", path, f"{path} is not a slarules state store: it is another program's database")
    if version != VERSION:
        raise _error("SLA409", path, f"state store {path} has layout version {version}; this slarules reads "
                                     f"version {VERSION}", "a newer slarules wrote it: use that version")
    return False


def _run(path: str, step):
    """Run one SQLite step, its errors as diagnostics."""
    try:
        return step()
    except sqlite3.OperationalError as err:
        text = str(err)
        if "locked" in text or "busy" in text:
            raise _error("SLA410", path, f"state store {path} is held by another run for too long",
                         "another billing run is writing it; run again once it has finished") from None
        if "readonly" in text or "read-only" in text or "disk" in text or "full" in text:
            raise _error("SLA411", path, f"cannot write state store {path}: {text}",
                         "nothing was saved: every subject's state is as it was") from None
        raise _error("SLA409", path, f"cannot use state store {path}: {text}") from None
    except sqlite3.DatabaseError as err:
        raise _error("SLA409", path, f"{path} is not a slarules state store: {err}") from None


def _error(code: str, path: str, message: str, *notes: str) -> SlaError:
    return SlaError([Diagnostic(code, message, None, notes, location=path)])
