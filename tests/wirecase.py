"""One wire test case: the request Hex must receive for a tool call, and the output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hexfake import FakeHex, Reply
from samples import assert_declared_shape

from aacflow_hex import HexExecutor, load_registry


@dataclass
class Case:
    tool: str
    params: dict[str, Any]
    method: str
    path: str
    reply: Reply
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    expected: dict[str, Any] = field(default_factory=dict)  # output values to check
    label: str = ""

    def __str__(self) -> str:
        return f"{self.tool}-{self.label}" if self.label else self.tool


async def check_case(case: Case, hex_api: FakeHex, executor: HexExecutor) -> None:
    """Hex receives exactly the case's request, and the user gets the declared outputs."""
    hex_api.reply(case.method, case.path, case.reply)
    result = await executor.execute(case.tool, case.params)

    assert result.success, result.error
    [received] = hex_api.received
    assert (received.method, received.path) == (case.method, case.path)
    assert received.query == case.query
    assert received.body == case.body
    assert received.headers["Authorization"].startswith("Bearer ")
    assert_declared_shape(load_registry().get(case.tool).outputs, result.output)
    for key, value in case.expected.items():
        assert result.output[key] == value, key
