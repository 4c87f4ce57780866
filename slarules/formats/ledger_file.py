"""The ledger file beside a billing run's state file: records appended, never rewritten.

A billing run's state file `NAME` (format `slarules.state/4`, engine/state.py)
keeps its ledger's records (engine/ledger.py) in `NAME.ledger` beside it, one
line of JSON each, and names those it has stored by their count, their size in
bytes and their chained digest. Every write happens under the state file's lock
(formats/files.py `updating`), before the new state is staged:

- `append(size, records)` cuts the file to `size`, the size the committed state
  names (what lies beyond it was appended by a run that was killed or failed
  before committing its state), appends the new records and fsyncs them. A
  billing run writes only the records it adds: the cost does not grow with the
  periods billed. The state, committed after the output, makes them part of the
  ledger; until then they are not.
- `roll_back()` undoes the append when the run fails before committing.
- `read(size)` gives the first `size` bytes (the state's records), `check(size)`
  only makes sure they are there: SLA404 if the file is missing or shorter.
- `whole_state(document)` gives a /4 state document as the /3 document with its
  ledger inside (what Outcome.state_json() writes), for a reader without the ruleset;
  `read_state_file(path)` that document's text, for a state file of any format.

Errors: SLA404 (the ledger file is missing, short or changed), SLA501 (it cannot be written).
"""
from __future__ import annotations

import json
import os

from ..core.diagnostics import Diagnostic, SlaError
from ..engine.ledger import GENESIS, chained
from ..engine.state import FILE_FORMAT, STATE_FORMAT, checksum

SUFFIX = ".ledger"


def read_state_file(path: str | os.PathLike) -> str:
    """The text of the state in the state file at `path`, whole, as Outcome.state_json()
    writes it (format /3: a /4 state with the records of its ledger file inside). Read
    without the state's lock: for a state no billing run is writing (SLA404 if damaged)."""
    path = os.fspath(path)
    with open(path, encoding="utf-8") as file:
        text = file.read()
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return text
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        return text
    whole = LedgerFile(os.path.realpath(path), path).whole_state(document)
    return json.dumps(whole, indent=2, sort_keys=True) + "\n"


class LedgerFile:
    """The ledger file beside the state file `target` (a symbolic link resolved), named to
    the user as `shown` (the state's path as given) + SUFFIX; `mode`: the state file's."""

    def __init__(self, target: str, shown: str, mode: int | None = None):
        self.path, self.shown, self.mode = target + SUFFIX, shown + SUFFIX, mode
        self._before: int | None = None  # once appended to: the committed size (-1: the file was new)

    def check(self, size: int) -> None:
        try:
            held = os.stat(self.path).st_size
        except FileNotFoundError:
            held = None
        except OSError as err:
            raise self._damaged(f"cannot be read: {err.strerror or err}") from None
        if size and (held is None or held < size):
            raise self._damaged("is missing" if held is None else
                                f"holds {held} bytes, fewer than the {size} of the records the state names")

    def read(self, size: int) -> bytes:
        if not size:
            return b""
        self.check(size)
        try:
            with open(self.path, "rb") as file:
                data = file.read(size)
        except OSError as err:
            raise self._damaged(f"cannot be read: {err.strerror or err}") from None
        if len(data) != size:
            raise self._damaged(f"holds fewer than the {size} bytes of the records the state names")
        return data

    def append(self, size: int, records: bytes) -> int:
        """Cut the file to `size` bytes, append `records`, fsync; the new size."""
        if not size and not records:
            return 0
        try:
            if self._before is None:
                self._before = size if os.path.exists(self.path) else -1
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666 if self.mode is None else 0o600)
            try:
                if self.mode is not None:
                    os.fchmod(fd, self.mode)
                os.ftruncate(fd, size)
                written = 0
                while written < len(records):
                    written += os.pwrite(fd, records[written:], size + written)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            raise SlaError([Diagnostic("SLA501", f"cannot write {self.shown}: {err.strerror or err}", None,
                                       ("nothing was saved; run it again once the ledger file can be written",),
                                       location=self.shown)]) from None
        return size + len(records)

    def roll_back(self) -> None:
        """Undo append() (the state was not committed): cut the file back to the committed
        size, or remove it if it was new. Should this fail too, the next run cuts it."""
        before, self._before = self._before, None
        try:
            if before == -1:
                os.unlink(self.path)
            elif before is not None:
                os.truncate(self.path, before)
        except OSError:
            pass

    def whole_state(self, document: dict) -> dict:
        """A /4 state document as the /3 document holding its ledger (other documents as they are)."""
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            return document
        ledger = document.get("ledger")
        if not isinstance(ledger, dict) or not isinstance(ledger.get("size"), int):
            raise self._damaged("cannot be found: the state does not name its records")
        lines = self.read(ledger["size"]).splitlines(keepends=True)
        digest = GENESIS
        for line in lines:
            digest = chained(digest, line)
        if digest != ledger.get("digest"):
            raise self._damaged("does not hold the records the state names: it was changed after slarules wrote it")
        periods = {}
        for line in lines:
            record = json.loads(line)
            periods[record["period"]] = record
        data = {key: value for key, value in document.items() if key != "checksum"}
        data.update(format=STATE_FORMAT, ledger={"opening": ledger.get("opening"), "periods": [*periods.values()]})
        return {**data, "checksum": checksum(data)}

    def _damaged(self, message: str) -> SlaError:
        return SlaError([Diagnostic(
            "SLA404", f"the state's ledger file {self.shown} {message}", None,
            ("a state file and its ledger file beside it are written only by slarules, and go together: "
             "restore both from the copy saved with the last billing run, or evaluate the whole history again",),
            location=self.shown)])
