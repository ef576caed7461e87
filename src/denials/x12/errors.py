"""Errors raised while reading X12. Messages name positions and segment ids, never element values."""


class X12Rejected(Exception):
    """The file cannot be loaded; the message says why and where."""
