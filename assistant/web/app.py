"""The one ASGI app: REST API, applicant UI, help-desk console, widget — built from one Assistant.

Routes:
  /ui/          applicant chat and eligibility form (Gradio)       /            → /ui/
  /console/     help-desk console (Gradio): search, browse, feedback review; CSV export at /console/export.csv
  /admin/       administration (admin credentials): add, supersede, remove documents; curate answers
  /widget.js    the embed script for host sites; /widget is the chat page it frames
  /article      one article with the quoted words highlighted (what citation links open)
  /api/v1/...   REST API (OpenAPI at /api/v1/openapi.json, docs at /api/docs with local assets)
  /healthz      liveness; /readyz readiness (index loaded, store, question log and rate-limit store reachable)
  /metrics      Prometheus metrics (console credentials, loopback, or the metrics token)

Embedding is governed by ``Settings.web.allowed_origins``: those origins (and this app itself) may
frame /widget (CSP ``frame-ancestors``) and call the API from the browser (CORS); every other page
may only be framed by this app. ``serve()`` is what ``python -m assistant serve`` and ``app.py`` run.

The console (everything under /console, the only place the question log and feedback can be read)
is guarded by ``auth.ConsoleGuard``: HTTP Basic auth when ``Settings.web.console_password`` is set,
otherwise loopback clients only. The REST API exposes no one else's questions or feedback.

Around every request (outermost first): /healthz and /readyz (``health``), the Host allowlist
(Starlette's ``TrustedHostMiddleware``, ``Settings.security.allowed_hosts``), request id, access log,
metrics and last-resort 500 (``middleware.RequestContext``), the client address
(``middleware.ClientAddress``), the body limit and upload refusal (``middleware.BodyLimit``), then
the security headers, CORS and the console guard. Rate limits are counted per client by
``WebService.admit`` on ask, search, eligibility and feedback (the chat UI's too).

The assistant is wrapped in ``live.LiveAssistant``: each process takes up documents added, replaced
or removed and curated answers saved (console, CLI, another worker) within seconds, no restart.

``serve(workers=N)`` runs N worker processes (uvicorn's supervisor), each building the app with
``worker_app()``; they share a `chroma run` server, the question log (PostgreSQL, or one SQLite
file) and, with Redis, the rate-limit counters. SIGTERM lets requests in flight finish (up to
``Settings.serve.graceful_shutdown_s``) before the process exits.

Not handled: TLS (put a reverse proxy in front; Basic auth needs it). See SECURITY.md.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from assistant.settings import Settings
from assistant.web import metrics
from assistant.web.admin import ADMIN_PATH, UPLOAD_PATHS, build_admin_router
from assistant.web.api import article_out, build_router, install_error_handlers
from assistant.web.auth import ConsoleGuard
from assistant.web.health import HealthEndpoints, Readiness
from assistant.web.middleware import BodyLimit, ClientAddress, RequestContext
from assistant.web.pages import article_page, widget_page
from assistant.web.ratelimit import RateLimiter
from assistant.web.service import WebService
from assistant.web.store import open_store

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
UI_PATH = "/ui"
CONSOLE_PATH = "/console"
CONSOLE_EXPORT_PATH = CONSOLE_PATH + "/export.csv"
WIDGET_PATH = "/widget"
METRICS_PATH = "/metrics"
DOCS_ASSETS = "/api/docs-assets"
GRADIO_MAX_FILE_SIZE = "1mb"  # uploads are refused anyway (middleware.BodyLimit); this is the second lock


class SecurityHeaders:
    """Pure ASGI middleware (it must not buffer the streamed answers) adding framing rules and
    the usual hardening headers to every HTTP response."""

    def __init__(self, app, allowed_origins: list[str]):
        self.app = app
        ancestors = " ".join(["'self'", *allowed_origins])
        self.widget_csp = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        ).encode()
        self.page_csp = b"frame-ancestors 'self'"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = self.widget_csp if scope["path"] == WIDGET_PATH else self.page_csp

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in
                           (b"content-security-policy", b"x-frame-options")]
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(assistant: Assistant, settings: Settings | None = None) -> FastAPI:
    """The whole web app around ``assistant``; nothing is loaded here that the assistant has not."""
    import gradio as gr

    from assistant.web.console import build_console
    from assistant.web.ui import build_ui, gradio_head, gradio_theme

    from fastapi_offline import FastAPIOffline

    from assistant.live import LiveAssistant

    settings = settings or assistant.settings
    if not isinstance(assistant, LiveAssistant):
        assistant = LiveAssistant(assistant)  # follows documents and curated answers as staff change them
    origins = [o.rstrip("/") for o in settings.web.allowed_origins]
    store = open_store(settings)
    limiter = RateLimiter(settings.rate_limits)
    service = WebService(assistant, store, settings, limiter)
    readiness = build_readiness(service)

    @asynccontextmanager
    async def lifespan(_app):
        readiness.start()
        try:
            yield
        finally:
            readiness.stop()

    # FastAPIOffline: the same FastAPI app, with the Swagger UI assets served from the package
    # (no CDN: the docs work offline and visits are not reported to a third party).
    app = FastAPIOffline(
        title="国家质量标准实验室 申报助手 API",
        version="1",
        description="Cited answers about the State Quality & Standards Laboratory programme and an eligibility "
        "check against 第十二条 of the 管理办法. Errors are JSON: {\"error\": {\"status\", \"message\"}}; "
        "429 and 503 come with Retry-After.",
        docs_url="/api/docs" if settings.security.api_docs else None,
        redoc_url=None,
        static_url=DOCS_ASSETS,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.readiness = readiness
    install_error_handlers(app)
    app.include_router(build_router(service))
    app.include_router(build_admin_router(service, settings))

    @app.get(METRICS_PATH, include_in_schema=False)
    def metrics_page() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(UI_PATH + "/")

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get(WIDGET_PATH, response_class=HTMLResponse, include_in_schema=False)
    def widget(lang: Literal["zh", "en"] = "zh") -> HTMLResponse:
        return HTMLResponse(widget_page(lang, service.max_question_chars), headers={"Cache-Control": "no-cache"})

    @app.get("/article", response_class=HTMLResponse, include_in_schema=False)
    def article(doc: str, locator: str = Query(max_length=300), quote: str | None = Query(None, max_length=4000)):
        return HTMLResponse(article_page(article_out(service, doc, locator, quote)))

    # Registered before the console is mounted at the same prefix, so this route wins. Served here,
    # not as a Gradio download: Gradio copies downloads into its shared file cache, which the public
    # /ui/ app serves too, and the log must only be readable through the guarded console path.
    @app.get(CONSOLE_EXPORT_PATH, include_in_schema=False)
    def console_export(only_negative: bool = False) -> Response:
        name = "feedback-negative.csv" if only_negative else "questions.csv"
        # utf-8-sig: Excel, which help desks use to read these, needs the BOM to read Chinese.
        body = store.export_csv(only_negative=only_negative).encode("utf-8-sig")
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # Each add_middleware wraps the ones before it, so the last added runs first: the health
    # endpoints answer before anything else, then the Host allowlist, the request context, the
    # client address and the body limit; the security headers see every response after that, CORS
    # answers preflights next, and the console guard (added first, innermost) refuses console
    # requests with both sets of headers applied.
    # The administration pages have their own credentials (a role above the help desk's); the
    # administrator may open the help-desk console too.
    app.add_middleware(ConsoleGuard, prefixes=(ADMIN_PATH,), user=settings.web.admin_user,
                       password=settings.web.admin_password, limiter=limiter)
    app.add_middleware(ConsoleGuard, prefixes=(CONSOLE_PATH,), user=settings.web.console_user,
                       password=settings.web.console_password, limiter=limiter,
                       token_prefixes=(METRICS_PATH,), token=settings.observability.metrics_token,
                       also=(settings.web.admin_user, settings.web.admin_password))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, allowed_origins=origins)
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_body_bytes, upload_paths=UPLOAD_PATHS,
                       max_upload_bytes=settings.knowledge.max_upload_bytes)
    app.add_middleware(ClientAddress, header=settings.security.client_ip_header,
                       trusted_proxies=settings.security.trusted_proxies)
    app.add_middleware(RequestContext)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.security.allowed_hosts)
    app.add_middleware(HealthEndpoints, readiness=readiness)

    common = dict(theme=gradio_theme(), head=gradio_head(), footer_links=[], ssr_mode=False, show_error=False,
                  max_file_size=GRADIO_MAX_FILE_SIZE)
    queue = dict(max_size=settings.limits.gradio_queue_size, api_open=False)
    gr.mount_gradio_app(app, build_console(service, export_url="export.csv").queue(**queue), path=CONSOLE_PATH,
                        **common)
    gr.mount_gradio_app(app, build_ui(service).queue(**queue), path=UI_PATH, **common)
    return app


def build_readiness(service: WebService) -> Readiness:
    """The readiness checks of this process: index, question log, and the shared rate-limit store."""
    a = service.assistant
    fingerprint = a.index_report.fingerprint
    metrics.index_version(fingerprint)
    checks = {"index": lambda: a.store.count() > 0, "question_log": service.store.ping}
    if service.settings.rate_limits.storage_url:
        checks["rate_limits"] = service.limiter.ping
    readiness = Readiness(checks, housekeeping=service.store.purge,
                          info={"documents": len(a.documents()), "index": fingerprint})
    readiness.run_checks()  # ready (or not) from the first request on
    return readiness


def worker_app() -> FastAPI:
    """The app of one worker process (``serve(workers=N)``): settings from the environment; the
    index was built by the supervisor before the workers started."""
    from assistant import Assistant

    settings = Settings()
    logs_configure(settings)
    return create_app(Assistant.from_settings(settings), settings)


def logs_configure(settings: Settings) -> dict:
    from assistant.web.logs import configure

    return configure(settings.observability.json_logs)


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None,
          workers: int | None = None) -> None:
    """Build the assistant (loading or building the index) and serve the web app with uvicorn:
    one process, or ``workers`` processes on a Chroma server (see module doc)."""
    import uvicorn

    settings = settings or Settings()
    host = host or settings.web.host
    port = port or settings.web.port
    workers = workers or settings.serve.workers
    config = logs_configure(settings)
    common = dict(host=host, port=port, log_config=config, access_log=False, proxy_headers=False,
                  timeout_graceful_shutdown=int(settings.serve.graceful_shutdown_s))
    if workers > 1:
        if not settings.store.chroma_host:
            raise SystemExit("Several workers need the Chroma server: set QSL_STORE__CHROMA_HOST (and _PORT). "
                             "The embedded index under index/ cannot be shared by processes.")
        if not settings.rate_limits.storage_url and settings.rate_limits.enabled:
            log.warning("rate limits are counted per worker process; set QSL_RATE_LIMITS__STORAGE_URL=redis://… "
                        "to share them")
        _build_index_once(settings)
        _metrics_dir(settings)
        # One engine thread per worker for the embedder (OpenMP): the processes are the parallelism,
        # and two threads in each of N workers would only contend for the same cores.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        log.info("serving on http://%s:%s%s/ with %d workers", host, port, UI_PATH, workers)
        uvicorn.run("assistant.web.app:worker_app", factory=True, workers=workers, **common)
        return
    from assistant import Assistant
    from assistant.indexing import serving_lock

    # One process writes the embedded index: while this one serves, the CLI's add / remove leave
    # the indexing to it (it follows the corpus, ``assistant.live``).
    lock = serving_lock(settings)
    if lock is not None:
        from filelock import Timeout

        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("another server process holds the index at %s: this one serves it too, and the CLI "
                        "leaves the indexing to the first", settings.store.path)
    app = create_app(Assistant.from_settings(settings), settings)
    log.info("serving on http://%s:%s%s/", host, port, UI_PATH)
    uvicorn.run(app, **common)


def _build_index_once(settings: Settings) -> None:
    """Build (or confirm) the index in the Chroma server before the workers start, so they do not
    race to build it."""
    from assistant.indexing import index_corpus

    # The question bank too: the workers then find it complete and embed nothing at start.
    report = index_corpus(settings)
    log.info("index %s: %d chunks, fingerprint %s", "built" if report.built else "up to date", report.chunks,
             report.fingerprint)


def _metrics_dir(settings: Settings) -> None:
    """A fresh directory where every worker writes its metrics (prometheus-client's multiprocess
    mode), set before the workers start so that they inherit it."""
    import shutil

    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.web.data_dir / "metrics")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
