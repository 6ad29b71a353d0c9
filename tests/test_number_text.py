"""A number's form text is accepted by the pattern exactly when the executor reads it
as a number in range, for every kind of range the patterns cover (not only the specs')."""

from __future__ import annotations

import random
import re

import pytest

from aacflow_hex.surfaces.number_text import number_text_pattern

# What the pattern is about: plain decimal text (the executor also reads exponents and
# underscores with float(), which the patterns leave out on purpose).
_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*")

RANGES = [
    # (minimum, maximum, integer)
    (0, None, True),
    (0, None, False),
    (1, None, True),
    (3, None, False),
    (12, None, True),
    (0, 0, True),
    (0, 0, False),
    (0, 1, False),
    (0, 7, False),
    (5, 5, False),
    (5, 5, True),
    (1, 9, True),
    (15, 47, True),
    (250, 7300, False),
    (2, 1000, True),
    (95, 105, True),
    (7, 1234, False),
    (100, 2000, True),
    (1, 300000, True),
    (0, 86400, False),
    (0.05, 3600, False),
    (0.05, None, False),
    (0.5, 1, False),
    (0.25, 2, False),
    (0.125, None, False),
    (0.3, 10, False),
    (0.95, 3, False),
    (0.09, None, False),
    (1e-05, 1, False),
]


def executor_reads(text: str, minimum: float, maximum: float | None, integer: bool) -> bool:
    if not _DECIMAL.fullmatch(text):
        return False
    value = float(text)
    if integer and not value.is_integer():
        return False
    return minimum <= value and (maximum is None or value <= maximum)


def texts(minimum: float, maximum: float | None, rng: random.Random) -> list[str]:
    """Texts around the range's ends, with signs, leading zeros, points and spaces."""
    anchors = {0.0, float(minimum), 1.0, 10.0, 99.0, 100.0, 1000.0}
    if maximum is not None:
        anchors |= {float(maximum), float(maximum) * 10}
    found = ["0", "-0", "-0.0", "-.0", "+0", ".", "-", "+", "", "5.", ".5", "1e2", "1_0", "0x1"]
    for _ in range(1500):
        anchor = rng.choice(sorted(anchors))
        value = anchor + rng.choice([0, 0, -1, 1, -0.5, 0.5, -0.01, 0.01, rng.uniform(-3, 3)])
        text = f"{abs(value):.{rng.choice([0, 0, 1, 2, 3])}f}"
        if rng.random() < 0.2:
            text = text.rstrip("0") if "." in text else text + "."
        if rng.random() < 0.15 and text.startswith("0."):
            text = text[1:]  # ".5"
        sign = "-" if value < 0 else rng.choice(["", "", "+"])
        zeros = "0" * rng.choice([0, 0, 0, 1, 2])
        found.append(rng.choice(["", " "]) + sign + zeros + text + rng.choice(["", " "]))
    return found


@pytest.mark.parametrize(("minimum", "maximum", "integer"), RANGES, ids=str)
def test_a_range_pattern_accepts_exactly_the_numbers_the_executor_takes(
    minimum: float, maximum: float | None, integer: bool
) -> None:
    pattern = number_text_pattern(minimum, maximum, integer=integer)
    assert pattern is not None
    compiled = re.compile(pattern)
    for text in texts(minimum, maximum, random.Random(f"{minimum}:{maximum}:{integer}")):
        expected = executor_reads(text, minimum, maximum, integer)
        assert (compiled.search(text) is not None) == expected, repr(text)


@pytest.mark.parametrize(
    ("minimum", "maximum", "integer"),
    [
        (None, 10, True),  # no lower end
        (-1, 10, True),  # negative numbers
        (0, 10.5, False),  # a maximum that is no integer
        (1.5, 10, False),  # a fractional minimum above one
        (0.5, 10, True),  # an integer with a fractional minimum
        (5, 3, True),  # an empty range
        (0.5, 0, False),  # an empty range below one
    ],
    ids=str,
)
def test_a_range_no_pattern_can_spell_gets_none(
    minimum: float | None, maximum: float | None, integer: bool
) -> None:
    assert number_text_pattern(minimum, maximum, integer=integer) is None
