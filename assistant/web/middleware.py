"""The pure ASGI middlewares in front of the whole app (they must not buffer streamed answers).

From the outside in (see ``app.create_app``):

- ``RequestContext``: gives each request an id (``X-Request-ID``, taken from the request when it is
  well formed), logs one line per request with its status and duration, counts it in the metrics,
  and turns an error that escaped every handler into a JSON 500 without dropping the keep-alive
  connection (Starlette's own last-resort handler re-raises, and the server then resets it).
- ``ClientAddress``: decides who the client is. Only the one header named by
  ``Settings.security.client_ip_header`` counts, and only when the TCP peer is one of
  ``trusted_proxies``; every later layer (console guard, rate limits, Gradio) reads the result
  from ``scope["client"]``.
- ``BodyLimit``: refuses a body over ``Settings.limits.max_body_bytes`` with 413 from its
  Content-Length, before reading anything, and a body without a length (chunked) with 411;
  refuses Gradio's file uploads (the UI has no upload component, so nobody needs them).

The Host allowlist is Starlette's ``TrustedHostMiddleware``; health checks are answered before
all of these (``health``). Not handled: TLS, which the reverse proxy terminates.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable

from assistant.web import metrics
from assistant.web.logs import request_id_var

log = logging.getLogger(__name__)
access_log = logging.getLogger("assistant.web.access")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
UPLOAD_SUFFIX = "/gradio_api/upload"


async def send_json(send, status: int, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    """A complete JSON error response in the API's shape: ``{"error": {"status", "message"}}``."""
    body = json.dumps({"error": {"status": status, "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *headers,
    ]})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Request id, one access-log line and the request metrics per HTTP request; a JSON 500 for
    any error that escaped the handlers, with the connection kept."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = [0]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if status[0]:
                raise  # the response had begun: nothing sound can be sent any more
            status[0] = 500
            await send_json(send_with_id, 500, "Internal error; the request was not completed. 服务内部错误，请稍后重试。")
        finally:
            seconds = time.perf_counter() - started
            route = metrics.route_label(scope.get("path", ""))
            metrics.observe_request(route, scope.get("method", ""), status[0], seconds)
            client = scope.get("client")
            access_log.info("%s %s %s", scope.get("method"), scope.get("path"), status[0], extra={
                "method": scope.get("method"), "path": scope.get("path"), "status": status[0],
                "duration_ms": round(seconds * 1000, 1), "client": client[0] if client else None,
            })
            request_id_var.reset(token)


def address_in(host: str | None, networks) -> bool:
    """Whether ``host`` (an address as the ASGI server reports it) is in one of ``networks``;
    an IPv4 client seen through a dual-stack socket (``::ffff:127.0.0.1``) counts as IPv4.
    Anything that is not an IP address (a Unix socket peer, a test client's made-up name) is not."""
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return any(ip in n or (mapped is not None and mapped in n) for n in networks)


def _networks(entries: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _address(text: str) -> str | None:
    """An IP address from a forwarding header's element (``203.0.113.5``, ``"[2001:db8::1]:443"``,
    ``198.51.100.7:1234``), or None when it is not one (``unknown``, an obfuscated ``_hidden``)."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _forwarded_for(value: str) -> list[str]:
    """The ``for=`` addresses of an RFC 7239 ``Forwarded`` header, nearest proxy last."""
    out = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, v = pair.partition("=")
            if name.strip().lower() == "for":
                out.append(v)
    return out


class ClientAddress:
    """Sets ``scope["client"]`` to the real client: the TCP peer, or, when the peer is a trusted
    proxy, the address the configured header names. For X-Forwarded-For and Forwarded (lists
    that each proxy appends to) the client is the last address that is not itself a trusted proxy,
    so an address the client wrote into the header itself is never believed."""

    def __init__(self, app, header: str, trusted_proxies: Iterable[str]):
        self.app = app
        self.header = header
        self.trusted = _networks(trusted_proxies)

    def _trusted(self, host: str | None) -> bool:
        return address_in(host, self.trusted)

    def client_host(self, peer: str | None, headers: list[tuple[bytes, bytes]]) -> str | None:
        if self.header == "none" or not self._trusted(peer):
            return peer
        name = self.header.encode()
        values = [v.decode("latin-1") for k, v in headers if k == name]
        if not values:
            return peer
        if self.header == "x-real-ip":
            return _address(values[-1]) or peer
        chain = [a for v in values for a in (_forwarded_for(v) if self.header == "forwarded" else v.split(","))]
        for candidate in reversed(chain):
            addr = _address(candidate)
            if addr is None:
                return peer  # a hop we cannot read: trust nothing before it
            if not self._trusted(addr):
                return addr
        return peer

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and self.header != "none":
            client = scope.get("client")
            peer = client[0] if client else None
            host = self.client_host(peer, scope.get("headers", []))
            if host != peer:
                scope = {**scope, "client": (host, 0)}
        return await self.app(scope, receive, send)


class BodyLimit:
    """413 for a body whose Content-Length is over ``max_bytes``, before the app reads a byte of it;
    411 for a body sent without a length (chunked), whose size could only be known by reading it
    (browsers and HTTP clients send the length of what they post); 403 for Gradio's upload route."""

    def __init__(self, app, max_bytes: int, upload_paths: tuple[str, ...] = (), max_upload_bytes: int = 0):
        self.app = app
        self.max_bytes = max_bytes
        # the administration pages' own upload forms (policy files), with their own, larger bound
        self.upload_paths = tuple(p.rstrip("/") for p in upload_paths)
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"].rstrip("/").endswith(UPLOAD_SUFFIX):
            metrics.refused("upload")
            return await send_json(send, 403, "File uploads are not accepted. 本服务不接收文件上传。")
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is None:
            if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                metrics.refused("length_required")
                return await send_json(send, 411, "Send the request with a Content-Length. 请求须带 Content-Length。",
                                       [(b"connection", b"close")])
            return await self.app(scope, receive, send)
        limit = self.max_upload_bytes + 64 * 1024 if scope["path"].rstrip("/") in self.upload_paths else self.max_bytes
        try:
            too_large = int(length) > limit
        except ValueError:
            return await send_json(send, 400, "Invalid Content-Length. 请求头 Content-Length 无效。")
        if not too_large:
            return await self.app(scope, receive, send)
        metrics.refused("body_too_large")
        kib = limit // 1024
        # Connection: close, so the server does not read the rest of the body to reuse the connection.
        await send_json(send, 413, f"The request body is too large (at most {kib} KiB). "
                        f"请求内容过大（最多 {kib} KiB），请缩短问题或对话记录。", [(b"connection", b"close")])
