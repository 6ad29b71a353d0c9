"""Endpoint handlers, one module per area of the Hex API."""

from __future__ import annotations

from ..routing import RouteSpec
from . import (
    admin,
    cells,
    collections,
    connections,
    embedding,
    legacy,
    project_writes,
    projects,
    runs,
    semantic,
    threads,
)


def all_routes() -> list[RouteSpec]:
    specs: list[RouteSpec] = []
    modules = (
        projects,
        project_writes,
        runs,
        legacy,
        collections,
        admin,
        connections,
        cells,
        embedding,
        threads,
        semantic,
    )
    for module in modules:
        specs.extend(module.routes.specs)
    return specs
