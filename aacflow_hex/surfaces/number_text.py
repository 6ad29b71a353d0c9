"""Regular expressions for the text of a number in a range, as a form sends it.

The executor reads a number param's form text with ``float()`` and then checks
the range; a form schema can only look at the text. These patterns accept the
plain decimal forms (``"5"``, ``"+5"``, ``"007"``, ``"5."``, ``"2.50"``,
``".5"``, spaces around) exactly when the number they spell is in range, so a
form renderer gives the same verdict as the executor. Exponents (``"1e2"``)
and ``"1_000"``, which ``float()`` also reads, are not among them.

Ranges: a minimum of zero or more (an integer, or between 0 and 1 for numbers
that are not integers) and an integer maximum or none, which covers every
number param of the specs; :func:`number_text_pattern` returns None otherwise.
"""

from __future__ import annotations

from decimal import Decimal

_ANY_FRACTION = r"(\.\d*)?"
_ZERO_FRACTION = r"(\.0*)?"


def _same_length(lo: str, hi: str) -> list[str]:
    """Alternatives matching the integers lo..hi, both given with the same number of digits."""
    if lo == hi:
        return [lo]
    width = len(lo)
    if lo == "0" * width and hi == "9" * width:
        return [rf"\d{{{width}}}" if width > 1 else r"\d"]
    if width == 1:
        return [f"[{lo}-{hi}]"]
    if lo[0] == hi[0]:
        return [lo[0] + p for p in _same_length(lo[1:], hi[1:])]
    rest = width - 1
    parts = [lo[0] + p for p in _same_length(lo[1:], "9" * rest)]
    low, high = int(lo[0]) + 1, int(hi[0]) - 1
    if low <= high:
        digit = str(low) if low == high else f"[{low}-{high}]"
        parts.append(digit + rf"\d{{{rest}}}")
    parts += [hi[0] + p for p in _same_length("0" * rest, hi[1:])]
    return parts


def integer_alternatives(lo: int, hi: int | None) -> str:
    """A group matching the integers lo..hi (hi None: no end), without leading zeros."""
    if hi is None:
        width = len(str(lo))
        bounded = _same_length(str(lo), "9" * width)
        return "(" + "|".join([*bounded, rf"[1-9]\d{{{width},}}"]) + ")"
    parts: list[str] = []
    start = lo
    while start <= hi:
        width = len(str(start))
        end = min(hi, 10**width - 1)
        parts += _same_length(str(start), str(end))
        start = end + 1
    return "(" + "|".join(parts) + ")"


def _fraction_at_least(digits: str) -> str:
    """A group matching the digit strings ``f`` after a point with ``0.f >= 0.digits``."""
    parts = [digits + r"\d*"]
    for i, d in enumerate(digits):
        if d != "9":
            parts.append(digits[:i] + f"[{int(d) + 1}-9]" + r"\d*")
    return "(" + "|".join(parts) + ")"


def number_text_pattern(
    minimum: float | None, maximum: float | None, *, integer: bool
) -> str | None:
    """The text of the numbers in [minimum, maximum] (integers only if ``integer``)."""
    if minimum is None or minimum < 0 or (maximum is not None and not float(maximum).is_integer()):
        return None
    hi = None if maximum is None else int(maximum)
    if hi is not None and minimum > hi:
        return None  # an empty range
    if float(minimum).is_integer():
        lo = int(minimum)
        if integer:
            body = integer_alternatives(lo, hi) + _ZERO_FRACTION
            if lo == 0:
                body = f"({body}|\\.0+)"  # ".0" is zero too
        elif hi is None:
            body = integer_alternatives(lo, None) + _ANY_FRACTION
            if lo == 0:
                body = f"({body}|\\.\\d+)"
        else:
            below = [integer_alternatives(lo, hi - 1) + _ANY_FRACTION] if lo < hi else []
            if lo == 0:
                below.append(r"\.\d+" if lo < hi else r"\.0+")  # [0, 0]: ".0" only
            body = "(" + "|".join([*below, str(hi) + _ZERO_FRACTION]) + ")"
    elif integer or minimum > 1:
        return None
    else:
        # Decimal: repr writes a small minimum with an exponent ("1e-05").
        digits = format(Decimal(repr(float(minimum))), "f").split(".")[1]
        parts = [f"0?\\.{_fraction_at_least(digits)}"]
        if hi is None:
            parts.append(integer_alternatives(1, None) + _ANY_FRACTION)
        else:  # hi >= 1, as hi >= minimum > 0
            if hi > 1:
                parts.append(integer_alternatives(1, hi - 1) + _ANY_FRACTION)
            parts.append(str(hi) + _ZERO_FRACTION)
        body = "(" + "|".join(parts) + ")"
    if minimum == 0:  # "-0" and "-.0" are zero, so in range
        body = rf"({body}|-0+(\.0*)?|-0*\.0+)"
    return rf"^\s*(\+?0*{body})\s*$"
