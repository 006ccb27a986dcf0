"""The web app as it is deployed: ``python -m assistant serve`` as its own process on a free
loopback port (real uvicorn, real sockets), for what a test client inside the process cannot
show: keep-alive connections, a 50 MB body on the wire, the process's memory, its JSON logs,
health checks while answers are in flight, and SIGTERM.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import httpx
import pytest
from fake_llm import FakeLLM
from servers import start_server, stop_server

from assistant.settings import Settings, StoreSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def web_assistant(tmp_path_factory):
    from assistant import Assistant

    # Same path as the other web tests: the index is built once per session.
    return Assistant.from_settings(Settings(store=StoreSettings(path=tmp_path_factory.getbasetemp() / "web-index")))


@pytest.fixture(scope="module")
def server(web_assistant, tmp_path_factory):
    s = start_server(web_assistant.settings.store.path, tmp_path_factory.mktemp("served"))
    yield s
    stop_server(s)


def raw_exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP/1.1 request on ``sock`` and read one response (Content-Length bodies)."""
    sock.sendall(request)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response headers")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    return status, headers, body


def post(path: str, body: bytes, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def test_a_huge_id_is_a_422_and_the_connection_stays_open(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        status, headers, body = raw_exchange(sock, post("/api/v1/feedback", json.dumps(
            {"question_id": 2**63, "rating": "up"}).encode()))
        assert status == 422 and "question_id" in body.decode()
        assert headers.get("connection", "").lower() != "close"
        # the same connection serves the next request
        status, _, body = raw_exchange(sock, b"GET /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert status == 200 and b"nqsl-measures-2023" in body


def test_a_50_mb_body_is_refused_at_once_without_growing_the_process(server):
    for _ in range(3):  # warm: the first requests of a process allocate
        httpx.post(server.base + "/api/v1/ask", json={"question": "建设期多久？"}, timeout=60)
    before = server.rss_kib()
    declared = 50 * 1024 * 1024
    for path in ("/api/v1/ask", "/ui/gradio_api/queue/join"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {declared}\r\n\r\n").encode()
            sock.sendall(head + b"x" * 65536)  # only the first 64 KiB are ever sent
            status, headers, body = raw_exchange(sock, b"")
            assert status == 413, (path, status, body[:200])
            assert headers.get("connection") == "close"
    # and a full 50 MB body sent whole is refused the same way
    r = httpx.post(server.base + "/api/v1/ask", content=b"x" * declared,
                   headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413
    grown_mib = (server.rss_kib() - before) / 1024
    assert grown_mib < 20, f"RSS grew {grown_mib:.0f} MiB"


def test_logs_are_json_lines_with_the_request_id(server):
    r = httpx.get(server.base + "/api/v1/documents", headers={"X-Request-ID": "test-req-42"})
    assert r.headers["x-request-id"] == "test-req-42"
    generated = httpx.get(server.base + "/api/v1/documents").headers["x-request-id"]
    assert len(generated) == 32
    time.sleep(0.5)
    lines = server.log_lines()
    assert lines, "the server logs JSON lines"
    access = [x for x in lines if x.get("request_id") == "test-req-42"]
    assert access and access[-1]["status"] == 200 and access[-1]["path"] == "/api/v1/documents"
    assert {"time", "level", "logger", "duration_ms"} <= set(access[-1])
    assert any(x.get("request_id") == generated for x in lines)


@pytest.fixture
def slow_llm():
    llm = FakeLLM().start()
    yield llm
    llm.stop()


def test_health_answers_while_every_answer_slot_is_busy(web_assistant, tmp_path, slow_llm):
    # Answers that take 3 s (a slow LLM), one slot: asks queue up; /healthz and /readyz do not.
    slow_llm.reply("建设期一般为3年。[1]", delay_s=3.0, times=100)
    s = start_server(web_assistant.settings.store.path, tmp_path, QSL_ANSWER__BACKEND="openai",
                     QSL_ANSWER__BASE_URL=slow_llm.base_url, QSL_ANSWER__TIMEOUT_S="20",
                     QSL_LIMITS__ANSWER_CONCURRENCY="1")
    try:
        done: list[float] = []

        def ask():
            httpx.post(s.base + "/api/v1/ask", json={"question": "建设期多久？"}, timeout=60)
            done.append(time.monotonic())

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        checked = []
        for path in ("/healthz", "/readyz", "/healthz"):
            r = httpx.get(s.base + path, timeout=30)
            assert r.status_code == 200, (path, r.text)
            checked.append(time.monotonic())
        assert not done, "the health checks waited for the answers"
        for t in threads:
            t.join()
        assert len(done) == 4 and min(done) > checked[-1]
    finally:
        stop_server(s)


def test_sigterm_lets_requests_in_flight_finish(web_assistant, tmp_path, slow_llm):
    slow_llm.reply("建设期一般为3年。[1]", delay_s=3.0, times=10)
    s = start_server(web_assistant.settings.store.path, tmp_path, QSL_ANSWER__BACKEND="openai",
                     QSL_ANSWER__BASE_URL=slow_llm.base_url, QSL_ANSWER__TIMEOUT_S="20")
    results: list[httpx.Response] = []

    def ask():
        results.append(httpx.post(s.base + "/api/v1/ask", json={"question": "建设期多久？"}, timeout=60))

    t = threading.Thread(target=ask)
    t.start()
    time.sleep(1.0)  # the request is with the (slow) model now
    s.process.send_signal(signal.SIGTERM)
    t.join(timeout=60)
    assert results and results[0].status_code == 200, results and results[0].text
    assert results[0].json()["answer"]["citations"]
    # uvicorn exits by re-raising the signal once the requests in flight are done
    assert s.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert any("Shutting down" in x.get("message", "") for x in s.log_lines())
    with pytest.raises(httpx.HTTPError):  # and it no longer accepts connections
        httpx.get(s.base + "/healthz", timeout=2)
