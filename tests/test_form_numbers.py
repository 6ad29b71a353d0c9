"""The block's form schema reads a number typed into a form as the executor does."""

from __future__ import annotations

import random
import re

import pytest
from samples import PROJECT_ID

from aacflow_hex import load_registry
from aacflow_hex.engine.validation import ParamError, validate_params
from aacflow_hex.surfaces.block_schema import form_text_schema
from aacflow_hex.surfaces.number_text import integer_alternatives

REGISTRY = load_registry()

# (tool, number param): every kind of range the specs have.
NUMBER_PARAMS = [
    ("hex_get_project_runs", "limit"),  # integer 1..100
    ("hex_get_project_runs", "offset"),  # integer 0..
    ("hex_list_threads", "numDays"),  # integer 1..
    ("hex_get_cell_chart_image", "width"),  # integer 100..2000
    ("hex_create_presigned_url", "expiresIn"),  # integer 1..300000
    ("hex_run_project_and_wait", "timeout"),  # number 0..86400
    ("hex_run_project_and_wait", "pollInterval"),  # number 0.05..3600
]

# Params a rule wants beside the one checked.
PARTNERS = {"width": {"height": 500}}


def _texts(rng: random.Random, count: int) -> list[str]:
    """Decimal texts a person might type: signs, leading zeros, points, spaces."""
    edges = ["0", "-0", "+0", "00", "1", "5.", ".5", ".", "-", "+", "0.05", "0.049", "0.0500",
             "100", "101", "100.0", "100.5", "99.99", "2000", "2001", "1999.", "3600", "3600.0",
             "3600.01", "86400", "86400.5", "300000", "300001", "-1", "007", " 42 ",
             "0.0"]  # fmt: skip
    texts = list(edges)
    for _ in range(count):
        digits = str(
            rng.choice([0, 1, 9, 50, 99, 100, 101, 3599, 3600, 86399, 10 ** rng.randint(0, 6)])
        )
        digits = str(int(digits) + rng.randint(-2, 2)) if rng.random() < 0.5 else digits
        text = rng.choice(["", "", "+", "-"]) + "0" * rng.choice([0, 0, 1, 2]) + digits.lstrip("-")
        if rng.random() < 0.4:
            text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 3)))
        if rng.random() < 0.1:
            text = "." + text.lstrip("+-0") if text.lstrip("+-0") else text
        texts.append(rng.choice(["", " "]) + text + rng.choice(["", " "]))
    return texts


def _executor_reads(tool_id: str, name: str, text: str) -> bool:
    spec = REGISTRY.get(tool_id)
    params = {"apiKey": "k", name: text, **PARTNERS.get(name, {})}
    params.update({n: PROJECT_ID for n, p in spec.params.items() if p.required and n not in params})
    try:
        validate_params(spec, REGISTRY.tool(tool_id).validator, params)
    except ParamError:
        return False
    return True


@pytest.mark.parametrize(("tool_id", "name"), NUMBER_PARAMS)
def test_the_form_schema_accepts_a_number_text_exactly_when_the_executor_does(
    tool_id: str, name: str
) -> None:
    text_schema = form_text_schema(REGISTRY.get(tool_id).params[name])
    assert text_schema is not None
    pattern = re.compile(text_schema["pattern"])
    for text in _texts(random.Random(f"{tool_id}.{name}"), 1500):
        if not text.strip():
            continue  # an empty field is "not given", checked apart
        form_says = pattern.search(text) is not None
        assert form_says == _executor_reads(tool_id, name, text), repr(text)


@pytest.mark.parametrize(("lo", "hi"), [(0, 0), (0, 9), (1, 100), (7, 1234), (95, 105), (0, None)])
def test_integer_alternatives_match_exactly_the_integers_in_range(lo: int, hi: int | None) -> None:
    pattern = re.compile(f"^{integer_alternatives(lo, hi)}$")
    top = (hi if hi is not None else 5000) + 50
    for n in range(top):
        assert (pattern.match(str(n)) is not None) == (lo <= n <= (hi if hi is not None else top))


@pytest.mark.parametrize(
    ("integer", "taken", "refused"),
    [
        (True, ["5", " -5 ", "+12", "007", "3.", "3.00"], ["3.5", ".5", "-", "x", "1e2", "5 5"]),
        (False, ["5", "-2.5", "+.5", " 3. ", "0.125"], [".", "-", "x", "1e2", "1.2.3", "+-1"]),
    ],
)
def test_a_number_without_a_range_the_patterns_know_takes_any_plain_decimal_text(
    integer: bool, taken: list[str], refused: list[str]
) -> None:
    from aacflow_hex.spec.specs import ParamSpec

    # No minimum: below zero is allowed too, which the exact range patterns do not cover.
    param = ParamSpec(type="number", integer=integer)
    text_schema = form_text_schema(param)
    assert text_schema is not None and text_schema["type"] == "string"
    pattern = re.compile(text_schema["pattern"])
    assert [t for t in taken if not pattern.search(t)] == []
    assert [t for t in refused if pattern.search(t)] == []
