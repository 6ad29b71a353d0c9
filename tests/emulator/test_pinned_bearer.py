"""The emulator takes a token only as ``Authorization: Bearer <token>``, as Hex does."""

from __future__ import annotations

import pytest

from .conftest import Api


@pytest.mark.parametrize(
    "header",
    [
        "{token}",
        "Basic {token}",
        "Token {token}",
        "Bearer",
        "Bearer ",
        "Bearer{token}",
        "{token} Bearer",
    ],
)
async def test_an_authorization_header_other_than_bearer_token_is_401(
    api: Api, header: str
) -> None:
    value = header.format(token=api.emu.token)
    reply = await api.get("/projects", token=False, headers={"Authorization": value})
    assert reply.status == 401
    assert api.emu.requests[-1].role is None


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
async def test_the_bearer_scheme_is_accepted_in_any_case(api: Api, scheme: str) -> None:
    headers = {"Authorization": f"{scheme} {api.emu.token}"}
    reply = await api.get("/projects", token=False, headers=headers)
    assert reply.status == 200
