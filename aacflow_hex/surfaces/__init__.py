"""The surfaces: the CLI, the canvas block, agent schemas, the MCP server, docs and the demo.

They use ``engine`` and ``spec``; nothing below imports them.
"""
