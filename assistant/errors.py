"""Errors the assistant raises on purpose, with messages meant for the person who caused them."""


class InputError(ValueError):
    """The user's input cannot be served (empty, too long, malformed). The message says why."""


class IndexNotReady(RuntimeError):
    """The index has not been built, or the store cannot be reached."""


class ServiceUnavailable(RuntimeError):
    """A service the request needs (the Chroma server, the question log's database, the rate-limit
    store) cannot be reached, or the server is too busy. Served as 503 with Retry-After; the next
    request tries again, so the service recovers by itself when the dependency returns."""

    def __init__(self, dependency: str, message: str, retry_after: int = 5):
        super().__init__(message)
        self.dependency = dependency
        self.retry_after = retry_after
