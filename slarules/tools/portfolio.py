"""A portfolio of contracts: the rulesets and KPI data that `slarules exposure` simulates together.

Input: a folder or a manifest.

  * A folder: every `NAME.sla` in it with its data beside it, `NAME.csv` or
    `NAME.json` (as rulesets/ is laid out); the contract is named NAME, weight 1.
  * A manifest, a JSON file:

        {"contracts": [
          {"ruleset": "acme_contact_center.sla", "data": "acme_contact_center.csv",
           "name": "acme", "weight": 2,
           "distributions": ["quality_score=uniform(85,99)"],
           "correlate": []}
        ]}

    `ruleset` and `data` are required, relative to the manifest's folder; `name`
    (default: the ruleset's file name without .sla) must be unique; `weight`
    (default 1, a number above 0, exact: "2.5" or 2.5) multiplies the contract's
    amounts in the portfolio's totals (three sites on the same terms: weight 3);
    `distributions` and `correlate` are simulate's (--distribution, --correlate).

Output: Entries (each contract's name, paths, texts as read, weight and specs),
and the Diagnostics of the entries that cannot be read (a missing file: SLA301;
a ruleset without data beside it in a folder: SLA504), which are left out while
the others go on. A manifest that is not one (not JSON, a key or value it does
not take) is SLA503, two contracts of one name SLA505, a portfolio with no
contract at all SLA506: these stop the whole run.

An Entry carries its texts, not open files, so that it can be shipped to a Dask
worker on another machine.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs

from ..core.diagnostics import Diagnostic, SlaError, did_you_mean

DATA_SUFFIXES = (".csv", ".json")
MANIFEST_KEYS = ("ruleset", "data", "name", "weight", "distributions", "correlate")


@attrs.frozen
class Entry:
    """One contract of the portfolio, as read."""

    name: str
    ruleset: str  # its path, as the folder or manifest gives it
    ruleset_text: str
    data: str
    data_text: str
    weight: Decimal = Decimal(1)
    distributions: tuple[str, ...] = ()
    correlate: tuple[str, ...] = ()


@attrs.frozen
class Unread:
    """A contract that cannot be read: its name and why."""

    name: str
    diagnostics: tuple[Diagnostic, ...]


def read_portfolio(path: str | Path) -> tuple[list[Entry], list[Unread]]:
    """The contracts of a folder or manifest, in name order, and those that cannot be read."""
    path = Path(path)
    if path.is_dir():
        listed = _folder(path)
    else:
        listed = _manifest(path)
    if not listed:
        raise SlaError([Diagnostic("SLA506", "the portfolio has no contract", location=str(path),
                                   notes=("a folder holds NAME.sla with NAME.csv or NAME.json beside it; "
                                          'a manifest lists {"contracts": [{"ruleset": ..., "data": ...}]}',))])
    seen: dict[str, int] = {}
    for position, (name, *_) in enumerate(listed):
        if name in seen:
            raise SlaError([Diagnostic("SLA505", f"two contracts are named '{name}'", location=str(path),
                                       notes=("give each a name of its own (the manifest's \"name\")",))])
        seen[name] = position
    entries: list[Entry] = []
    unread: list[Unread] = []
    for name, ruleset, data, options in sorted(listed, key=lambda item: item[0]):
        problems = []
        texts = []
        for file, what in ((ruleset, "ruleset"), (data, "data file")):
            if file is None:
                problems.append(Diagnostic("SLA504", f"the ruleset {ruleset} has no data beside it",
                                           location=str(ruleset), notes=(f"put {name}.csv or {name}.json next to it",)))
                continue
            try:
                texts.append(Path(file).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError) as err:
                problems.append(Diagnostic("SLA301", f"cannot read {what} {file}: {err}"))
        if problems:
            unread.append(Unread(name, tuple(problems)))
        else:
            entries.append(Entry(name, str(ruleset), texts[0], str(data), texts[1], **options))
    return entries, unread


def _folder(folder: Path) -> list[tuple[str, Path, Path | None, dict]]:
    """Each NAME.sla of the folder with its NAME.csv (or, failing that, NAME.json)."""
    listed = []
    for ruleset in sorted(folder.glob("*.sla")):
        data = next((ruleset.with_suffix(s) for s in DATA_SUFFIXES if ruleset.with_suffix(s).is_file()), None)
        listed.append((ruleset.stem, ruleset, data, {}))
    return listed


def _manifest(path: Path) -> list[tuple[str, Path, Path, dict]]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA503", f"cannot read the portfolio {path}: {err}",
                                   notes=("give a folder of rulesets with their data, or a JSON manifest",))]) from None
    try:
        document = json.loads(text, parse_float=Decimal)
    except ValueError as err:
        raise SlaError([Diagnostic("SLA503", f"the manifest is not JSON: {err}", location=where)]) from None
    if not isinstance(document, dict) or set(document) != {"contracts"} or not isinstance(document["contracts"], list):
        raise _bad(where, 'a manifest is an object with one key, "contracts", a list of contracts')
    listed = []
    for index, item in enumerate(document["contracts"]):
        at = f"{where}: contracts[{index}]"
        if not isinstance(item, dict):
            raise _bad(at, 'a contract is an object: {"ruleset": "NAME.sla", "data": "NAME.csv"}')
        unknown = sorted(set(item) - set(MANIFEST_KEYS))
        if unknown:
            raise _bad(at, f"unknown key '{unknown[0]}'; a contract's keys are {', '.join(MANIFEST_KEYS)}",
                       did_you_mean(unknown[0], MANIFEST_KEYS))
        for key in ("ruleset", "data"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise _bad(at, f"'{key}' is required, a file name (relative to the manifest's folder)")
        ruleset, data = path.parent / item["ruleset"], path.parent / item["data"]
        name = item.get("name", ruleset.stem)
        if not isinstance(name, str) or not name.strip():
            raise _bad(at, "'name' is a string that is not empty")
        options = {"weight": _weight(item.get("weight", 1), at)}
        for key, field in (("distributions", "distributions"), ("correlate", "correlate")):
            specs = item.get(key, [])
            if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
                raise _bad(at, f"'{key}' is a list of strings, such as [\"quality_score=uniform(85,99)\"]")
            options[field] = tuple(specs)
        listed.append((name, ruleset, data, options))
    return listed


def _weight(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _bad(where, "'weight' is a number above 0")
    try:
        weight = Decimal(value)
    except ArithmeticError:
        raise _bad(where, f"'weight' is a number above 0, not '{value}'") from None
    if not weight.is_finite() or weight <= 0:
        raise _bad(where, f"'weight' is a number above 0, not '{value}'")
    return weight


def _bad(where: str, message: str, notes: tuple[str, ...] = ()) -> SlaError:
    return SlaError([Diagnostic("SLA503", message, location=where, notes=notes)])
