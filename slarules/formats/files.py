"""Files slarules writes: replaced whole, under a lock, durably, or not at all.

Every file slarules writes (a saved state, an HTML report, a formatted
ruleset, verify's counterexamples) goes through `updating(path)`, and the
outcome a billing run prints goes through `write_stream`, so the command line
and a Python caller get the same guarantees:

- Checked first: a path in a missing folder, in a read-only folder, that is a
  folder, or a read-only file is refused (SLA501) before anything is written.
  "Read-only" is the file's mode: a file or folder without any write bit is
  refused even to root.
- Locked for the whole read-modify-write: `flock` on the file itself (or on its
  folder while the file does not exist yet), re-checked after waiting, since
  the holder replaces the file. A second run waits, up to `wait` seconds
  (SLA502 after that), then reads what the first one wrote. The lock is the
  kernel's: a killed run releases it, and no lock file is ever left behind.
- Replaced atomically: the new text goes to a temporary file of a unique name
  (`.NAME.<16 hex>.tmp`) in the same folder, is fsynced, takes the old file's
  mode (and owner, where allowed), and is renamed over the file; then the folder
  is fsynced. A temporary file left by a killed run is removed by the next run
  that takes the lock (no writer holds the lock without its temporary file being
  its own), and cannot be mistaken for the file.
- A symbolic link is written through: its target is replaced and the link stays.

Errors: SlaError with SLA501 (cannot be written) or SLA502 (locked too long).
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

from ..core.diagnostics import Diagnostic, SlaError

WAIT = 600.0  # seconds a run waits for another one to finish with the same file
_TEMPORARY = ".{name}.{token}.tmp"


class Update:
    """A file held under lock: what it holds now (`existing`, bytes or None if it
    does not exist yet) and, once `stage()` has written it aside, its next text."""

    def __init__(self, path: str, target: str, existing: bytes | None, mode: int | None, owner):
        self.path = path  # as the user gave it
        self.target = target  # the file that is replaced (a symbolic link resolved)
        self.existing = existing
        self.mode, self._owner = mode, owner
        self._staged: str | None = None  # the temporary file's path

    def stage(self, text: str) -> None:
        """Write `text` to a temporary file beside the target and fsync it; the
        target itself changes only when the update is committed."""
        self.discard()
        folder, name = os.path.split(self.target)
        temporary = os.path.join(folder, _TEMPORARY.format(name=name, token=secrets.token_hex(8)))
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                         0o600 if self.mode is not None else 0o666)  # a new file gets the umask's mode
            self._staged = temporary
            with os.fdopen(fd, "wb") as file:
                file.write(text.encode("utf-8"))
                file.flush()
                if self.mode is not None:
                    os.fchmod(file.fileno(), self.mode)
                    _keep_owner(file.fileno(), self._owner)
                os.fsync(file.fileno())
        except OSError as err:
            self.discard()
            raise _cannot_write(self.path, err) from None

    def commit(self) -> None:
        """Rename the staged text over the target and make the rename durable."""
        if self._staged is None:
            return
        try:
            os.replace(self._staged, self.target)
            self._staged = None
            _fsync_folder(os.path.dirname(self.target))
        except OSError as err:
            self.discard()
            raise _cannot_write(self.path, err) from None

    def discard(self) -> None:
        if self._staged is not None:
            try:
                os.unlink(self._staged)
            except FileNotFoundError:
                pass
            self._staged = None


@contextmanager
def updating(path: str | os.PathLike, wait: float | None = WAIT) -> Iterator[Update]:
    """Lock the file at `path` and hand it over as an Update: leaving the block
    normally commits what was staged, an exception leaves the file as it was."""
    path = os.fspath(path)
    target = _writable_target(path)
    lock = _lock(path, target, wait)
    try:
        _remove_stale_temporaries(target)
        existing, mode, owner = _read_locked(path, lock)
        update = Update(path, target, existing, mode, owner)
        try:
            yield update
            update.commit()
        finally:
            update.discard()
    finally:
        os.close(lock)


def write_atomically(path: str | os.PathLike, text: str) -> None:
    """Replace the file at `path` with `text`, under the guarantees above."""
    with updating(path) as update:
        update.stage(text)


def write_under_held_lock(path: str | os.PathLike, text: str) -> None:
    """Replace the file at `path` as write_atomically does, without a lock of its own:
    for a file whose writers another update already serialises (a billing run's totals
    file, written while the run holds its state's lock). Two locks taken by one process
    on the same folder (both files new) would wait for each other for ever."""
    path = os.fspath(path)
    target = _writable_target(path)
    try:
        status = os.stat(target)
        mode, owner = stat.S_IMODE(status.st_mode), (status.st_uid, status.st_gid)
    except FileNotFoundError:
        mode = owner = None
    update = Update(path, target, None, mode, owner)
    try:
        update.stage(text)
        update.commit()
    finally:
        update.discard()


def check_folder(path: str | os.PathLike) -> None:
    """An output folder: either a writable folder, or a name a writable folder can
    be made with (its parent exists and is writable). SLA501 otherwise."""
    path = os.fspath(path)
    if os.path.exists(path) or os.path.islink(path):
        if not os.path.isdir(path):
            _refuse(path, f"{path} is not a folder", "give a folder for the output files")
        _check_folder_writable(path, path)
    else:
        _check_folder_writable(path, os.path.dirname(os.path.abspath(path)))


def write_stream(stream: TextIO, text: str | Callable[[TextIO], None], name: str = "standard output",
                 what: str = "the outcome",
                 note: str = "nothing was saved; run it again once the output can be written") -> None:
    """Write `text` to `stream` (or let `text(stream)` write it, piece by piece, so that
    a long outcome is never held whole), flush it, and fsync it when it is a file on disk, so
    a billing run commits its state only after its output is safely out. A failure
    (a full disk, a closed pipe) is SLA501 saying it could not write `what`, and the
    stream is pointed at the null device so that the interpreter's last flush does
    not fail again."""
    try:
        if callable(text):
            text(stream)
        else:
            stream.write(text)
        stream.flush()
        fileno = _fileno(stream)
        if fileno is not None and stat.S_ISREG(os.fstat(fileno).st_mode):
            os.fsync(fileno)
    except OSError as err:
        fileno = _fileno(stream)
        if fileno is not None:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fileno)
            os.close(null)
        raise _cannot_write(name, err, note, what=what) from None


def _cannot_write(path: str, err: OSError, note: str | None = None, what: str | None = None) -> SlaError:
    reason = err.strerror or str(err)
    return SlaError([Diagnostic("SLA501", f"cannot write {what or path}: {reason}", None,
                                (note,) if note else (), location=path)])


def _refuse(path: str, message: str, note: str) -> None:
    raise SlaError([Diagnostic("SLA501", message, None, (note,), location=path)])


def _writable_target(path: str) -> str:
    """The file to replace (a symbolic link followed), once it and its folder are
    known to be writable."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    _check_folder_writable(path, folder)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as err:
        raise _cannot_write(path, err) from None
    if stat.S_ISDIR(status.st_mode):
        _refuse(path, f"{path} is a folder", "give the path of a file inside it")
    if not stat.S_ISREG(status.st_mode):
        _refuse(path, f"{path} is not a regular file", "give the path of a plain file")
    if not _allows_writing(target, status):
        _refuse(path, f"{path} is read-only (mode {stat.S_IMODE(status.st_mode):04o}), so it is left as it is",
                "make it writable (chmod u+w) if this run should replace it")
    return target


def _check_folder_writable(path: str, folder: str) -> None:
    try:
        status = os.stat(folder)
    except FileNotFoundError:
        _refuse(path, f"the folder {folder} does not exist", "create it first, or give another path")
    except OSError as err:
        raise _cannot_write(path, err) from None
    if not stat.S_ISDIR(status.st_mode):
        _refuse(path, f"{folder} is not a folder", "give a path inside a folder")
    if not _allows_writing(folder, status):
        _refuse(path, f"the folder {folder} is not writable (mode {stat.S_IMODE(status.st_mode):04o})",
                "a file is replaced by writing a new one beside it; make the folder writable or give another path")


def _allows_writing(path: str, status: os.stat_result) -> bool:
    return bool(status.st_mode & 0o222) and os.access(path, os.W_OK)


def _lock(path: str, target: str, wait: float | None) -> int:
    """A descriptor holding an exclusive flock on the target as it is now (or on its
    folder while the target does not exist)."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        try:
            try:
                fd, on_file = os.open(target, os.O_RDONLY | os.O_CLOEXEC), True
            except FileNotFoundError:
                fd, on_file = os.open(os.path.dirname(target), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), False
        except OSError as err:
            raise _cannot_write(path, err) from None
        try:
            _flock(fd, deadline, path, wait)
            if _still_current(fd, target, on_file):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder replaced (or created) the file while we waited: lock the new one


def _flock(fd: int, deadline: float | None, path: str, wait: float | None) -> None:
    if deadline is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise _cannot_write(path, err) from None
        if time.monotonic() >= deadline:
            raise SlaError([Diagnostic(
                "SLA502", f"another slarules run has held {path} for {wait:g} seconds", None,
                ("nothing was evaluated or written; run it again once the other run has finished",),
                location=path)])
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _still_current(fd: int, target: str, on_file: bool) -> bool:
    try:
        now = os.stat(target)
    except FileNotFoundError:
        return not on_file
    if not on_file:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _read_locked(path: str, lock: int):
    """The target's bytes, mode and owner, read through the locked descriptor."""
    status = os.fstat(lock)
    if stat.S_ISDIR(status.st_mode):  # the folder's lock: the file does not exist yet
        return None, None, None
    try:
        chunks = []
        while chunk := os.read(lock, 1 << 20):
            chunks.append(chunk)
    except OSError as err:
        raise _cannot_write(path, err) from None
    return b"".join(chunks), stat.S_IMODE(status.st_mode), (status.st_uid, status.st_gid)


def _remove_stale_temporaries(target: str) -> None:
    """Temporary files of this target left by a killed run: whoever holds the lock
    owns every live one, so under the lock any other is stale."""
    folder, name = os.path.split(target)
    pattern = re.compile(re.escape(_TEMPORARY.format(name=name, token="@")).replace("@", "[0-9a-f]{16}"))
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if pattern.fullmatch(entry):
            try:
                os.unlink(os.path.join(folder, entry))
            except OSError:
                pass


def _keep_owner(fd: int, owner) -> None:
    try:
        if (os.fstat(fd).st_uid, os.fstat(fd).st_gid) != owner:
            os.fchown(fd, *owner)
    except OSError:  # only root may give a file away: the new file is the writer's, with the old mode
        pass


def _fsync_folder(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        return None
