"""Guarded int64 arithmetic for the vectorised evaluator (vectorised.py, vectorised_earn_back.py).

Exact decimals as scaled integers (`scaled`: n / 10**k), products and sums of
int64 arrays that never wrap: before each one the largest magnitudes of the
operands are multiplied (or added) as exact Python integers and compared with
LIMIT = 2**61 (two bits of margin: 2r < d in round_div stays in int64); past it,
Overflow, and the caller evaluates with the exact evaluator instead. round_div
divides with the contract's rounding mode as Decimal.quantize would; pick chooses
between two amounts by arithmetic.
"""
from __future__ import annotations

import weakref
from decimal import Decimal

import numpy as np

LIMIT = 2 ** 61  # every intermediate stays below this in magnitude


class Overflow(Exception):
    """A figure could leave int64: evaluate_money then evaluates the batch with the exact
    evaluator; columns_of raises it for a value too large or too fine to be held."""


def scaled(value: Decimal) -> tuple[int, int]:
    """(n, k) with value == n / 10**k, k >= 0."""
    exponent = value.as_tuple().exponent
    k = max(0, -exponent)
    return int(value.scaleb(k)), k


def int64_array(rows) -> np.ndarray:
    """Python ints (lists, nested) as an int64 array; Overflow if one is too large."""
    values = np.array(rows, dtype=object)
    if values.size and max(abs(int(values.max())), abs(int(values.min()))) >= LIMIT:
        raise Overflow
    return values.astype(np.int64)


def largest(a) -> int:
    """The largest magnitude in a (an int or an int64 array), as an exact Python int."""
    if isinstance(a, int):
        return abs(a)
    if not np.size(a):
        return 0
    return max(int(np.max(a)), -int(np.min(a)))


def mul(a, b):
    """a x b, an int or an int64 array; Overflow if a product could reach LIMIT."""
    if isinstance(b, int) and b == 1:
        return a
    if isinstance(a, int) and a == 1:
        return b
    if largest(a) * largest(b) >= LIMIT:
        raise Overflow
    return np.multiply(a, b, dtype=np.int64)


def add(a, b):
    if largest(a) + largest(b) >= LIMIT:
        raise Overflow
    return np.add(a, b, dtype=np.int64)


def round_div(n, d, mode: str, bound=largest):
    """n / d (d > 0) rounded to an integer with the contract's rounding mode, as Decimal.quantize would
    (`bound`: how d's largest magnitude is found, for the guard)."""
    if bound(d) >= LIMIT:
        raise Overflow
    n = np.asarray(n, dtype=np.int64)
    negative = n < 0
    signed = bool(negative.any())
    magnitude = np.abs(n) if signed else n  # with d, below 2**61: their sum stays in int64
    if mode == "down":
        q = magnitude // d
    elif mode == "up":
        q = (magnitude + (d - 1)) // d
    elif mode == "half up":  # up exactly when the remainder r has 2r >= d, d odd or even
        q = (magnitude + d // 2) // d
    else:
        q = magnitude // d
        r = magnitude - q * d  # np.divmod and % cost several times //
        if mode == "half down":
            q = q + (2 * r > d)
        else:  # half even
            q = q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1)))
    return q - 2 * q * negative if signed else q


def holding(bound: int):
    """The smallest signed integer type that holds every magnitude up to `bound`."""
    for dtype in (np.int8, np.int16, np.int32):
        if bound <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def pick(condition, a, b):
    """a where condition holds, else b: np.where without its branches, which cost ten times
    the arithmetic on arrays of random conditions; a and b are amounts below LIMIT in
    magnitude (guarded), so a - b stays in int64."""
    return b + (a - b) * condition


def to_minor(n, k: int, digits: int, mode: str):
    """The exact decimal n / 10**k in minor units (10**-digits), rounded with `mode`."""
    if k <= digits:
        return mul(n, 10 ** (digits - k))
    return round_div(n, 10 ** (k - digits), mode)


class Bounds:
    """The largest magnitudes of one batch's arrays, each found at most once: a product's or
    sum's from its operands' (an upper bound: a guard may then fall back where a pass over the
    product would not have, never the other way), any other array's (an input's) by one pass
    the first time it is asked. An array is held by a weak reference: a freed array's entry
    never matches a new one of the same id. The arrays noted are not changed in place
    afterwards."""

    def __init__(self):
        self._known: dict[int, tuple[weakref.ref, int]] = {}

    def note(self, array, bound: int):
        """`array`, its largest magnitude noted as `bound` (ints are their own bound)."""
        if isinstance(array, np.ndarray):
            self._known[id(array)] = (weakref.ref(array), bound)
        return array

    def largest(self, a) -> int:
        """a's largest magnitude: noted, or found by one pass and noted."""
        if type(a) is int:
            return a if a >= 0 else -a
        known = self._known.get(id(a))
        if known is not None and known[0]() is a:
            return known[1]
        bound = largest(a)
        self.note(a, bound)
        return bound

    def mul(self, a, b):
        """a x b as mul does, its bound noted."""
        if type(b) is int and b == 1:
            return a
        if type(a) is int and a == 1:
            return b
        bound = self.largest(a) * self.largest(b)
        if bound >= LIMIT:
            raise Overflow
        return self.note(np.multiply(a, b, dtype=np.int64), bound)

    def add(self, a, b):
        """a + b as add does, its bound noted."""
        bound = self.largest(a) + self.largest(b)
        if bound >= LIMIT:
            raise Overflow
        return self.note(np.add(a, b, dtype=np.int64), bound)

    def sub(self, a, b):
        """a - b, guarded as add, its bound noted."""
        bound = self.largest(a) + self.largest(b)
        if bound >= LIMIT:
            raise Overflow
        return self.note(np.subtract(a, b, dtype=np.int64), bound)

    def round_div(self, n, d, mode: str):
        """round_div(n, d, mode), its bound noted: no more than n's (d >= 1)."""
        return self.note(round_div(n, d, mode, self.largest), self.largest(n))

    def to_minor(self, n, k: int, digits: int, mode: str):
        """to_minor(n, k, digits, mode), its bound noted."""
        if k <= digits:
            return self.mul(n, 10 ** (digits - k))
        return self.round_div(n, 10 ** (k - digits), mode)
