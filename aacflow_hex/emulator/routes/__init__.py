"""Endpoint handlers, one module per area of the Hex API."""

from __future__ import annotations

from ..routing import RouteSpec
from . import admin, collections, connections, legacy, projects, runs


def all_routes() -> list[RouteSpec]:
    specs: list[RouteSpec] = []
    for module in (projects, runs, legacy, collections, admin, connections):
        specs.extend(module.routes.specs)
    return specs
