"""Per-client rate limits and the console's login lockout, with the ``limits`` library.

``RateLimiter.hit(scope, client)`` counts one request of ``client`` (its address, as
``middleware.ClientAddress`` decided) against the limits of ``scope`` (ask, search, eligibility,
feedback; ``Settings.rate_limits``) and raises ``RateLimited`` with the seconds to wait when one is
exceeded. The console counts failed logins the same way (``login_failed`` / ``locked_out``).

The counters live in the memory of the process by default, or in Redis when
``Settings.rate_limits.storage_url`` names one: then every worker process and server shares them.
If that Redis cannot be reached, the request gets ``ServiceUnavailable`` (503): limits are not
silently dropped, and the next request tries Redis again.
"""

from __future__ import annotations

import logging
import math
import time

from assistant.errors import ServiceUnavailable
from assistant.settings import RateLimitSettings
from assistant.web import metrics

log = logging.getLogger(__name__)

SCOPES = ("ask", "search", "eligibility", "feedback", "console_login")


class RateLimited(Exception):
    """Too many requests of one client in ``scope``; try again in ``retry_after`` seconds."""

    def __init__(self, scope: str, retry_after: int):
        super().__init__(
            f"Too many requests; please wait {retry_after} s and try again. "
            f"请求过于频繁，请{retry_after}秒后再试。"
        )
        self.scope = scope
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, settings: RateLimitSettings):
        from limits import parse_many, storage, strategies

        self.enabled = settings.enabled
        url = settings.storage_url or "memory://"
        options = {}
        if url.startswith(("redis://", "rediss://")):
            # Fail fast when Redis is away: the request gets a 503 at once, not after a long wait.
            options = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
        self.where = url.split("@")[-1] if "@" in url else url  # never log a password in the URL
        self.storage = storage.storage_from_string(url, key_prefix="qsl", **options)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)
        self.rules = {scope: parse_many(getattr(settings, scope)) for scope in SCOPES}

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - redis-py, limits' own errors: all mean "unreachable"
            log.warning("rate-limit store %s unreachable: %s", self.where, e)
            metrics.refused("rate_limit_store_down")
            raise ServiceUnavailable(
                "rate_limits",
                "The service is briefly unavailable (rate-limit store unreachable); please retry shortly. "
                "服务暂时不可用，请稍后重试。",
            ) from None

    def _retry_after(self, limit, scope: str, client: str) -> int:
        stats = self._call(self.strategy.get_window_stats, limit, scope, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def hit(self, scope: str, client: str | None) -> None:
        """Count a request of ``client`` in ``scope``; ``RateLimited`` when over a limit."""
        if not self.enabled:
            return
        client = client or "unknown"
        for limit in self.rules[scope]:
            if not self._call(self.strategy.hit, limit, scope, client):
                metrics.rate_limited(scope)
                raise RateLimited(scope, self._retry_after(limit, scope, client))

    def locked_out(self, client: str | None) -> int | None:
        """Seconds until ``client`` may try to log in to the console again, or None if it may now."""
        if not self.enabled:
            return None
        client = client or "unknown"
        for limit in self.rules["console_login"]:
            if not self._call(self.strategy.test, limit, "console_login", client):
                return self._retry_after(limit, "console_login", client)
        return None

    def login_failed(self, client: str | None) -> None:
        if self.enabled:
            for limit in self.rules["console_login"]:
                self._call(self.strategy.hit, limit, "console_login", client or "unknown")

    def ping(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:  # noqa: BLE001
            return False
