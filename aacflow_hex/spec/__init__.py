"""The spec layer: tool specs loaded from YAML, the registry, input schemas, Hex's limits.

Imports nothing from ``engine`` or ``surfaces``.
"""
