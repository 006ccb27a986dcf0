"""Fixtures of the browser tests: the real app on a free loopback port, host sites on other
ports, and Debian's Chromium driven by Playwright.

- ``app_server``: the web app (real Assistant, real index in a temp dir, temp data dir) served by
  uvicorn in a thread; one host origin is on its allow-list, another is not.
- ``host_sites``: the demo ministry page of examples/ served from both origins, pointing at the app.
- ``page``: a fresh browser page; on failure a screenshot goes to test-artifacts/ (set
  QSL_SCREENSHOTS=1 to keep screenshots of passing tests too, for looking at the product).

Chromium comes from apt (``apt-get install -y chromium fonts-noto-cjk``). Without it the tests are
skipped, unless QSL_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.settings import RateLimitSettings, Settings, StoreSettings, WebSettings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    base: str
    service: object  # assistant.web.service.WebService
    server: object
    thread: threading.Thread


@dataclass
class HostSites:
    allowed: str  # origin on the app's allow-list
    other: str  # origin that is not


@pytest.fixture(scope="session")
def web_assistant(tmp_path_factory):
    from assistant import Assistant

    # Same path as tests/test_web_api.py: the index is built once per session.
    return Assistant.from_settings(Settings(store=StoreSettings(path=tmp_path_factory.getbasetemp() / "web-index")))


@pytest.fixture(scope="session")
def host_ports() -> tuple[int, int]:
    return free_port(), free_port()


def serve_app(assistant, settings: Settings) -> Served:
    """Start the app with uvicorn in a thread and wait until /healthz answers."""
    import uvicorn

    from assistant.web import create_app

    app = create_app(assistant, settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return Served(base, app.state.service, server, thread)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web app did not become healthy within 60 s")


@pytest.fixture(name="serve_app", scope="session")
def serve_app_fixture():
    """``serve_app(assistant, settings) -> Served``, for modules that need a server of their own."""
    return serve_app


@pytest.fixture(scope="session")
def app_server(web_assistant, host_ports, tmp_path_factory):
    allowed_port, _ = host_ports
    # One browser asks many questions in a few seconds from 127.0.0.1: no rate limit here
    # (test_web_limits.py tests them).
    settings = web_assistant.settings.model_copy(update={"web": WebSettings(
        data_dir=tmp_path_factory.mktemp("browser-data"), allowed_origins=[f"http://127.0.0.1:{allowed_port}"]),
        "rate_limits": RateLimitSettings(enabled=False)})
    served = serve_app(web_assistant, settings)
    yield served
    served.server.should_exit = True
    served.thread.join(timeout=10)


def _static_server(port: int, pages: dict[str, str]) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="session")
def host_sites(app_server, host_ports):
    """The demo host page of examples/, its script pointed at the app under test, on two origins."""
    demo = (ROOT / "examples" / "ministry-host.html").read_text(encoding="utf-8")
    page = re.sub(r'src="http://127\.0\.0\.1:7860/widget\.js"', f'src="{app_server.base}/widget.js"', demo)
    assert page != demo, "the demo page must embed the widget with one script line"
    framed = f'<!doctype html><title>frame</title><iframe id="direct" src="{app_server.base}/widget" width="400" height="500"></iframe>'
    pages = {"/": page, "/ministry-host.html": page, "/frame.html": framed}
    servers = [_static_server(p, pages) for p in host_ports]
    yield HostSites(*(f"http://127.0.0.1:{p}" for p in host_ports))
    for s in servers:
        s.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        message = f"{CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk"
        if os.environ.get("QSL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request):
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed or os.environ.get("QSL_SCREENSHOTS") == "1":
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, p in enumerate(context.pages):
            try:
                p.screenshot(path=str(ARTIFACTS / f"{name}{'' if i == 0 else f'-{i}'}.png"), full_page=True)
            except Exception:  # a closed page cannot be photographed; the others still are
                pass
