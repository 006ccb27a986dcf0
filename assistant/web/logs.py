"""Logs of the web app: one JSON object per line (python-json-logger), each carrying the id of the
request it belongs to (``X-Request-ID``, set by ``middleware.RequestContext``).

``configure(json_logs)`` sets up the root logger and uvicorn's loggers the same way; uvicorn's own
access log is replaced by the app's (one line per request with status, duration and client).
Not handled: shipping logs anywhere; they go to stderr for the process manager to collect.
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def log_config(json_logs: bool = True, level: str = "INFO") -> dict:
    """A ``logging.config.dictConfig`` for the app and uvicorn (also passed to ``uvicorn.run``)."""
    formatter = (
        {"()": "pythonjsonlogger.json.JsonFormatter",
         "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
         "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}
        if json_logs else
        {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "default",
                                "filters": ["request_id"], "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            # replaced by assistant.web.access (one line per request, with the request id)
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "httpx": {"level": "WARNING"},
        },
    }


def configure(json_logs: bool = True, level: str = "INFO") -> dict:
    config = log_config(json_logs, level)
    logging.config.dictConfig(config)
    return config
