"""Prometheus metrics of the web app (prometheus-client), served at /metrics.

- ``qsl_http_requests_total{route,method,status}`` and ``qsl_http_request_seconds{route}``: every
  HTTP request, by a bounded route label (``route_label``);
- ``qsl_answers_total{backend,refused,declined,fallback}``: answers given, refused (the documents
  do not answer), declined (not a question about the documents), or that fell back from the LLM
  to the extractive answer;
- ``qsl_rate_limited_total{scope}``: requests refused with 429 (ask, search, …, console_login);
- ``qsl_refused_requests_total{reason}``: requests refused before any work (body too large,
  upload, busy, a dependency down);
- ``qsl_index_info{fingerprint}``: 1 for the index version this process serves.

With several worker processes, ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers
start, and /metrics sums every worker's numbers (prometheus-client's multiprocess mode). The
metrics are module-level, as prometheus-client expects: one set per process.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter("qsl_http_requests", "HTTP requests served.", ["route", "method", "status"])
LATENCY = Histogram(
    "qsl_http_request_seconds", "Time to the end of the response.", ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ANSWERS = Counter("qsl_answers", "Answers given.", ["backend", "refused", "declined", "fallback"])
RATE_LIMITED = Counter("qsl_rate_limited", "Requests refused with 429.", ["scope"])
REFUSED = Counter("qsl_refused_requests", "Requests refused before any work.", ["reason"])
INDEX = Gauge("qsl_index_info", "The index version served (1 for the live fingerprint).", ["fingerprint"],
              multiprocess_mode="max")

# Exact paths that get their own label; everything else is labelled by its first segment.
_API_ROUTES = ("/api/v1/ask/stream", "/api/v1/ask", "/api/v1/search", "/api/v1/eligibility", "/api/v1/feedback",
               "/api/v1/widget/config", "/api/v1/documents")


def route_label(path: str) -> str:
    """A label with few values for ``path``: an API route, or the first path segment."""
    for r in _API_ROUTES:
        if path == r:
            return r
    if path.startswith("/api/v1/documents/"):
        return "/api/v1/documents/{doc_id}" + ("/article" if path.endswith("/article") else "")
    first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    return "/" + first if first in {"ui", "console", "static", "widget", "widget.js", "article", "api", "metrics",
                                    "healthz", "readyz"} else "other"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def answered(backend: str, refused: bool, fallback: bool, declined: bool = False) -> None:
    ANSWERS.labels(backend, str(refused).lower(), str(declined).lower(), str(fallback).lower()).inc()


def rate_limited(scope: str) -> None:
    RATE_LIMITED.labels(scope).inc()


def refused(reason: str) -> None:
    REFUSED.labels(reason).inc()


def index_version(fingerprint: str) -> None:
    INDEX.labels(fingerprint).set(1)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric (of all worker processes in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
