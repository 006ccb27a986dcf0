"""The one ASGI app: REST API, applicant UI, help-desk console, widget — built from one Assistant.

Routes:
  /ui/          applicant chat and eligibility form (Gradio)       /            → /ui/
  /console/     help-desk console (Gradio): search, browse, feedback review; CSV export at /console/export.csv
  /widget.js    the embed script for host sites; /widget is the chat page it frames
  /article      one article with the quoted words highlighted (what citation links open)
  /api/v1/...   REST API (OpenAPI at /api/v1/openapi.json, docs at /api/docs)
  /healthz      200 once the app is ready to answer

Embedding is governed by ``Settings.web.allowed_origins``: those origins (and this app itself) may
frame /widget (CSP ``frame-ancestors``) and call the API from the browser (CORS); every other page
may only be framed by this app. ``serve()`` is what ``python -m assistant serve`` and ``app.py`` run.

The console (everything under /console, the only place the question log and feedback can be read)
is guarded by ``auth.ConsoleGuard``: HTTP Basic auth when ``Settings.web.console_password`` is set,
otherwise loopback clients only. The REST API exposes no one else's questions or feedback.

Not handled: TLS (put a reverse proxy in front; Basic auth needs it), rate limiting.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from assistant.settings import Settings
from assistant.web.api import article_out, build_router, install_error_handlers
from assistant.web.auth import ConsoleGuard
from assistant.web.pages import article_page, widget_page
from assistant.web.service import WebService
from assistant.web.store import FeedbackStore

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
UI_PATH = "/ui"
CONSOLE_PATH = "/console"
CONSOLE_EXPORT_PATH = CONSOLE_PATH + "/export.csv"
WIDGET_PATH = "/widget"


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

    settings = settings or assistant.settings
    origins = [o.rstrip("/") for o in settings.web.allowed_origins]
    store = FeedbackStore(settings.web.data_dir)
    service = WebService(assistant, store)

    app = FastAPI(
        title="国家质量标准实验室 申报助手 API",
        version="1",
        description="Cited answers about the State Quality & Standards Laboratory programme and an eligibility "
        "check against 第十二条 of the 管理办法. Errors are JSON: {\"error\": {\"status\", \"message\"}}.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.service = service
    install_error_handlers(app)
    app.include_router(build_router(service))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok", "documents": len(assistant.documents())}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(UI_PATH + "/")

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get(WIDGET_PATH, response_class=HTMLResponse, include_in_schema=False)
    def widget(lang: Literal["zh", "en"] = "zh") -> HTMLResponse:
        return HTMLResponse(widget_page(lang), headers={"Cache-Control": "no-cache"})

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

    # Each add_middleware wraps the ones before it, so the last added runs first: the security
    # headers see every response, CORS answers preflights next, and the console guard (added
    # first, innermost) refuses console requests with both sets of headers applied.
    app.add_middleware(ConsoleGuard, prefixes=(CONSOLE_PATH,), user=settings.web.console_user,
                       password=settings.web.console_password)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, allowed_origins=origins)

    common = dict(theme=gradio_theme(), head=gradio_head(), footer_links=[], ssr_mode=False, show_error=False)
    gr.mount_gradio_app(app, build_console(service, export_url="export.csv"), path=CONSOLE_PATH, **common)
    gr.mount_gradio_app(app, build_ui(service), path=UI_PATH, **common)
    return app


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None) -> None:
    """Build the assistant (loading or building the index) and serve the web app with uvicorn."""
    import uvicorn

    from assistant import Assistant

    settings = settings or Settings()
    host = host or settings.web.host
    port = port or settings.web.port
    assistant = Assistant.from_settings(settings)
    app = create_app(assistant, settings)
    log.info("serving on http://%s:%s%s/", host, port, UI_PATH)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
