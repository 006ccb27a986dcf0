"""Access control for the help-desk console: the pages that show what other people asked.

``ConsoleGuard`` is a pure ASGI middleware in front of every path under the guarded prefixes
(``/console`` and everything below it: the Gradio page, its ``/console/gradio_api/...`` calls and
the CSV export at ``/console/export.csv``). The public chat (/ui/), the widget, the article page,
/healthz and the REST API are not guarded.

Governed by ``Settings.web.console_password`` (env ``QSL_WEB__CONSOLE_PASSWORD``) and
``Settings.web.console_user`` (env ``QSL_WEB__CONSOLE_USER``, default ``helpdesk``):

- password set: HTTP Basic auth with that user and password; a missing or wrong credential gets
  401 with ``WWW-Authenticate: Basic realm="qsl-console"`` so that browsers ask for a login.
- password unset: served only to clients on this machine (127.0.0.0/8, ::1); anyone else gets 403
  with a JSON message saying a console password must be configured.

The client address is the one ``middleware.ClientAddress`` decided: the TCP peer, or the address
named by the one forwarding header ``Settings.security.client_ip_header`` when the peer is a
trusted proxy. Behind a reverse proxy on this machine, either configure that header or set a
password: otherwise every visitor looks local.

Failed logins are counted per client (``Settings.rate_limits.console_login``, default 5 in 15
minutes); past that the client gets 429 with Retry-After, right password or not, until the window
has passed. /metrics is guarded the same way, and also opens to ``Authorization: Bearer <token>``
when ``Settings.observability.metrics_token`` is set (for a Prometheus server).

Not handled: TLS (Basic auth sends the password in clear, so serve the console over HTTPS in
production), user accounts or roles, logging out.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import secrets

from pydantic import SecretStr

from assistant.errors import ServiceUnavailable
from assistant.web.middleware import address_in, send_json

log = logging.getLogger(__name__)

REALM = "qsl-console"
CHALLENGE = f'Basic realm="{REALM}"'.encode()

NO_PASSWORD_MESSAGE = (
    "The help-desk console is only served to this machine until a console password is configured: "
    "set QSL_WEB__CONSOLE_PASSWORD (and optionally QSL_WEB__CONSOLE_USER) and restart. "
    "工作台尚未设置密码，仅限本机访问；请设置 QSL_WEB__CONSOLE_PASSWORD 后重启服务。"
)
UNAUTHORIZED_MESSAGE = "The help-desk console needs a user name and password. 工作台需要登录。"
LOCKED_MESSAGE = ("Too many failed logins from this address; try again in {s} s. "
                  "登录失败次数过多，请{s}秒后再试。")


LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address as the ASGI server reports it) is this machine."""
    return address_in(host, LOOPBACK)


def basic_credentials(header: bytes | None) -> tuple[bytes, bytes] | None:
    """(user, password) from an ``Authorization: Basic …`` header value, or None if it is not one."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(b" ")
    if scheme.lower() != b"basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(b":")
    return (user, password) if sep else None


def route_path(scope) -> str:
    """The path the app routes on: without the ``root_path`` a proxy mounts the app under (as Starlette does)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root):]
    return path


class ConsoleGuard:
    """Pure ASGI middleware (it must not buffer streamed responses) guarding the help-desk console.

    With ``Settings.web.console_password`` (``QSL_WEB__CONSOLE_PASSWORD``) set, every request under
    ``prefixes`` needs HTTP Basic auth as ``console_user``/``console_password`` (compared in constant
    time with ``secrets.compare_digest``), else 401 with ``WWW-Authenticate: Basic realm="qsl-console"``.
    Without it, only loopback clients are served and others get 403 with a JSON explanation.
    """

    def __init__(self, app, prefixes: tuple[str, ...], user: str, password: SecretStr | str | None,
                 limiter=None, token_prefixes: tuple[str, ...] = (), token: SecretStr | str | None = None,
                 also: tuple[str, SecretStr | str | None] | None = None):
        self.app = app
        self.prefixes = tuple(p.rstrip("/") for p in (*prefixes, *token_prefixes))
        self.token_prefixes = tuple(p.rstrip("/") for p in token_prefixes)
        if isinstance(password, SecretStr):
            password = password.get_secret_value()
        if isinstance(token, SecretStr):
            token = token.get_secret_value()
        # An empty password would let anyone in with "user:"; treat it as not configured.
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8") if password else None
        self.token = b"Bearer " + token.encode("utf-8") if token else None
        self.limiter = limiter  # ratelimit.RateLimiter counting failed logins (None: no lockout)
        # a second credential let in too: the administrator's, on the help-desk console
        also_password = also[1].get_secret_value() if also and isinstance(also[1], SecretStr) else (also or (None, None))[1]
        self.also = (also[0].encode("utf-8"), also_password.encode("utf-8")) if also and also_password else None

    def guards(self, path: str, prefixes: tuple[str, ...] | None = None) -> bool:
        return any(path == p or path.startswith(p + "/") for p in (self.prefixes if prefixes is None else prefixes))

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or not self.guards(route_path(scope)):
            return await self.app(scope, receive, send)
        if self.token is not None and self.guards(route_path(scope), self.token_prefixes) and self._has_token(scope):
            return await self.app(scope, receive, send)
        client = scope.get("client")
        if self.password is not None:
            host = client[0] if client else None
            try:
                wait = self.limiter.locked_out(host) if self.limiter else None
                authorized = wait is None and self._authorized(scope)
                if wait is None and not authorized and self._header(scope) is not None and self.limiter:
                    self.limiter.login_failed(host)  # a browser's first, credential-less request is no attempt
            except ServiceUnavailable as e:
                return await self._refuse(scope, send, 503, str(e), headers=[(b"retry-after", b"5")])
            if authorized:
                return await self.app(scope, receive, send)
            if wait is not None:
                log.warning("console login from %s refused: locked out for %s s", host, wait)
                return await self._refuse(scope, send, 429, LOCKED_MESSAGE.format(s=wait),
                                          headers=[(b"retry-after", str(wait).encode())])
            return await self._refuse(scope, send, 401, UNAUTHORIZED_MESSAGE, challenge=True)
        if is_loopback(client[0] if client else None):
            return await self.app(scope, receive, send)
        log.warning("console request from %s refused: no console password configured", client and client[0])
        return await self._refuse(scope, send, 403, NO_PASSWORD_MESSAGE)

    @staticmethod
    def _header(scope) -> bytes | None:
        return next((v for k, v in scope.get("headers", []) if k == b"authorization"), None)

    def _has_token(self, scope) -> bool:
        header = self._header(scope)
        return header is not None and secrets.compare_digest(header.strip(), self.token)

    def _authorized(self, scope) -> bool:
        creds = basic_credentials(self._header(scope))
        if creds is None:
            return False
        user, password = creds
        # Both comparisons always run (``&``, not ``and``): the time taken says nothing about
        # which of the two was wrong.
        ok = secrets.compare_digest(user, self.user) & secrets.compare_digest(password, self.password)
        if self.also is not None:
            ok |= secrets.compare_digest(user, self.also[0]) & secrets.compare_digest(password, self.also[1])
        return bool(ok)

    async def _refuse(self, scope, send, status: int, message: str, challenge: bool = False,
                      headers: list[tuple[bytes, bytes]] | None = None) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        extra = list(headers or [])
        if challenge:
            extra.append((b"www-authenticate", CHALLENGE))
        await send_json(send, status, message, extra)
