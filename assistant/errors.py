"""Errors the assistant raises on purpose, with messages meant for the person who caused them."""


class InputError(ValueError):
    """The user's input cannot be served (empty, too long, malformed). The message says why."""


class IndexNotReady(RuntimeError):
    """The index has not been built, or the store cannot be reached."""
