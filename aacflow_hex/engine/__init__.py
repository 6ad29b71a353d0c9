"""The engine layer: the executor and everything a call goes through on its way to Hex and back.

Imports from ``spec`` only, never from ``surfaces``.
"""
