"""Liveness and readiness, answered before any other layer of the app and off the worker pool.

- ``/healthz`` (liveness): 200 while the process serves HTTP at all, with the number of
  documents and the index version it loaded. It does no work, so an orchestrator never restarts
  a server that is merely busy.
- ``/readyz`` (readiness): 200 when the index is loaded and the services it needs answer (the
  Chroma store, the question log's database, the rate-limit store); 503 with the failing ones
  named otherwise. The checks run in a thread of their own every ``interval_s`` seconds
  (``Readiness``), so the endpoint only reads their last result: it stays fast while answers
  keep the worker threads busy, and a slow dependency cannot make it hang.

The same thread deletes question-log rows past their retention (``Readiness.housekeeping``) and
publishes the index version to the metrics. ``HealthEndpoints`` is a pure ASGI middleware placed
outside the Host allowlist: probes often use the pod's address as Host, and the answers hold
nothing private.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.web import metrics

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0


@dataclass
class Snapshot:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or what is wrong
    at: float = 0.0  # monotonic time of the checks

    @property
    def ready(self) -> bool:
        return bool(self.checks) and all(v == "ok" for v in self.checks.values())


class Readiness:
    """Runs named checks (callables returning True when fine) in a background thread."""

    def __init__(self, checks: dict[str, Callable[[], bool]], interval_s: float = 2.0,
                 housekeeping: Callable[[], None] | None = None, info: dict | None = None):
        self.checks = checks
        self.interval_s = interval_s
        self.housekeeping = housekeeping
        self.info = info or {}
        self.snapshot = Snapshot()
        self._stop = threading.Event()
        self._last_purge = 0.0
        self._thread: threading.Thread | None = None

    def run_checks(self) -> Snapshot:
        results = {}
        for name, check in self.checks.items():
            try:
                results[name] = "ok" if check() else "unreachable"
            except Exception as e:  # noqa: BLE001 - a failing check is an answer, not a crash
                results[name] = f"error: {type(e).__name__}"
        self.snapshot = Snapshot(results, time.monotonic())
        return self.snapshot

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_checks()
            if self.housekeeping and time.monotonic() - self._last_purge >= PURGE_EVERY_S:
                self._last_purge = time.monotonic()
                try:
                    self.housekeeping()
                except Exception:  # noqa: BLE001 - retried next hour; the log says why
                    log.exception("question-log housekeeping failed")
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="qsl-readiness", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def body(self) -> tuple[int, dict]:
        snap = self.snapshot
        stale = time.monotonic() - snap.at > max(3 * self.interval_s, 10.0)
        ready = snap.ready and not stale
        body = {"status": "ready" if ready else "not ready", "checks": snap.checks,
                "checked_s_ago": round(time.monotonic() - snap.at, 2) if snap.at else None, **self.info}
        return (200 if ready else 503), body


class HealthEndpoints:
    """/healthz and /readyz, answered here without touching the rest of the app."""

    def __init__(self, app, readiness: Readiness):
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in ("/healthz", "/readyz"):
            return await self.app(scope, receive, send)
        if scope["path"] == "/healthz":
            status, body = 200, {"status": "ok", **self.readiness.info}
        else:
            status, body = self.readiness.body()
        data = json.dumps(body, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
            (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": data})
        metrics.observe_request(scope["path"], scope.get("method", ""), status, 0.0)
