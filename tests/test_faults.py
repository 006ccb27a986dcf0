"""Faults, against real servers started here: the Chroma server, PostgreSQL or Redis going away
while the app serves gives clear 503s (with Retry-After), and the same app process answers again
when they return; an LLM that hangs falls back within its timeout; a re-index killed half way
leaves the old index serving and the next one succeeds. (SIGTERM draining: test_web_server.py.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from fake_llm import FakeLLM
from fastapi.testclient import TestClient
from servers import free_port, start_chroma, stop_process

from assistant.indexing import build_index
from assistant.settings import (
    ROOT,
    AnswerSettings,
    QuestionLogSettings,
    RateLimitSettings,
    StoreSettings,
    WebSettings,
)
from assistant.store import ChromaStore

pytestmark = [pytest.mark.server, pytest.mark.slow]

Q = {"question": "地方单位由谁推荐申报？"}


def _client(assistant, tmp_path, **updates):
    from assistant.web import create_app

    updates.setdefault("web", WebSettings(data_dir=tmp_path / "data"))
    updates.setdefault("rate_limits", RateLimitSettings(enabled=False))
    app = create_app(assistant, assistant.settings.model_copy(update=updates))
    return TestClient(app, base_url="http://localhost", client=("127.0.0.1", 1))


def _unavailable(resp, dependency: str) -> None:
    assert resp.status_code == 503, (resp.status_code, resp.text[:300])
    assert resp.json()["error"]["details"]["dependency"] == dependency
    assert int(resp.headers["retry-after"]) >= 1


@pytest.fixture
def own_chroma(tmp_path, built_index, bank, make_settings):
    """A Chroma server of this test's own (it is stopped and restarted), holding the index."""
    port = free_port()
    path = tmp_path / "chroma"
    proc = start_chroma(path, port, tmp_path / "chroma.log")
    settings = make_settings(StoreSettings(chroma_host="127.0.0.1", chroma_port=port, chroma_timeout_s=3))
    build_index(built_index.docs, built_index.embedder, ChromaStore(settings.store), settings, bank=bank)
    server = {"proc": proc, "port": port, "path": path, "settings": settings}
    yield server
    stop_process(server["proc"])


def test_chroma_server_going_away_gives_503_and_recovery(own_chroma, built_index, tmp_path):
    from assistant import Assistant

    settings = own_chroma["settings"]
    a = Assistant(settings, built_index.docs, built_index.embedder, ChromaStore(settings.store),
                  build_index(built_index.docs, built_index.embedder, ChromaStore(settings.store), settings))
    with _client(a, tmp_path) as c:
        assert c.post("/api/v1/ask", json=Q).status_code == 200
        own_chroma["proc"].kill()
        own_chroma["proc"].wait()
        time.sleep(2.5)  # past the store's alias cache: the next query goes to the server
        _unavailable(c.post("/api/v1/ask", json=Q), "index")
        _unavailable(c.get("/api/v1/search", params={"q": "验收"}), "index")
        assert c.get("/healthz").status_code == 200  # alive: a restart would not help
        ready = c.app.state.readiness
        ready.run_checks()
        assert c.get("/readyz").status_code == 503 and c.get("/readyz").json()["checks"]["index"] != "ok"
        own_chroma["proc"] = start_chroma(own_chroma["path"], own_chroma["port"], tmp_path / "chroma.log")
        r = c.post("/api/v1/ask", json=Q)
        assert r.status_code == 200 and r.json()["answer"]["citations"]
        ready.run_checks()
        assert c.get("/readyz").status_code == 200


def test_postgresql_going_away_gives_503_and_recovery(qsl_assistant, postgres_server, tmp_path):
    postgres_server.truncate()
    with _client(qsl_assistant, tmp_path,
                 question_log=QuestionLogSettings(postgres_dsn=postgres_server.dsn)) as c:
        qid = c.post("/api/v1/ask", json=Q).json()["question_id"]
        postgres_server.stop()
        try:
            _unavailable(c.post("/api/v1/ask", json=Q), "question_log")
            _unavailable(c.post("/api/v1/feedback", json={"question_id": qid, "rating": "up"}), "question_log")
            assert c.get("/console/export.csv").status_code == 503
            c.app.state.readiness.run_checks()
            assert c.get("/readyz").json()["checks"]["question_log"] == "unreachable"
        finally:
            postgres_server.start()
        r = c.post("/api/v1/feedback", json={"question_id": qid, "rating": "up"})
        assert r.status_code == 200, r.text
        assert c.post("/api/v1/ask", json=Q).status_code == 200
        c.app.state.readiness.run_checks()
        assert c.get("/readyz").status_code == 200


def test_redis_going_away_gives_503_and_recovery(qsl_assistant, redis_server, tmp_path):
    redis_server.flush()
    limits = RateLimitSettings(storage_url=redis_server.url, search="100/minute")
    with _client(qsl_assistant, tmp_path, rate_limits=limits) as c:
        assert c.get("/api/v1/search", params={"q": "验收"}).status_code == 200
        redis_server.stop()
        try:
            _unavailable(c.get("/api/v1/search", params={"q": "验收"}), "rate_limits")
            c.app.state.readiness.run_checks()
            assert c.get("/readyz").json()["checks"]["rate_limits"] == "unreachable"
        finally:
            redis_server.start()
        assert c.get("/api/v1/search", params={"q": "验收"}).status_code == 200
        c.app.state.readiness.run_checks()
        assert c.get("/readyz").status_code == 200


@pytest.mark.parametrize("fault", ["hang", "error"])
def test_an_llm_that_hangs_or_errors_falls_back_within_its_timeout(qsl_assistant, tmp_path, fault):
    from assistant import Assistant

    llm = FakeLLM().start()
    try:
        if fault == "hang":
            llm.reply("建设期一般为3年。[1]", delay_s=30.0, times=20)
        else:
            llm.reply("", status=500, times=20)
        s = qsl_assistant.settings.model_copy(update={"answer": AnswerSettings(
            backend="openai", base_url=llm.base_url, timeout_s=1.0)})
        a = Assistant(s, list(qsl_assistant.docs.values()), qsl_assistant.embedder, qsl_assistant.store,
                      qsl_assistant.index_report)
        with _client(a, tmp_path) as c:
            t0 = time.monotonic()
            r = c.post("/api/v1/ask", json={"question": "建设期最长多久？"})
            elapsed = time.monotonic() - t0
        assert r.status_code == 200, r.text
        ans = r.json()["answer"]
        assert ans["backend"] == "extractive" and ans["fallback_reason"] and ans["citations"]
        # each model call gives up after its 1 s timeout (a question makes at most a few of them),
        # long before the hanging model would answer
        assert elapsed < 15, elapsed
    finally:
        llm.stop()


def test_a_reindex_killed_half_way_leaves_the_old_index_serving(tmp_path, make_corpus, make_settings, e5):
    from assistant import Assistant
    from assistant.corpus import load_corpus

    corpus = make_corpus(["nqsl-measures-2023"])
    settings = make_settings(StoreSettings(path=tmp_path / "index"), corpus_dir=corpus)
    first = build_index(load_corpus(corpus), e5, ChromaStore(settings.store), settings)
    changed = make_corpus(["nqsl-measures-2023"], edits={"nqsl-measures-2023": lambda t: t.replace(
        "第一条", "第一条　（修订稿）", 1)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    env.update({"QSL_STORE__PATH": str(settings.store.path), "QSL_CORPUS_DIR": str(changed),
                "ANONYMIZED_TELEMETRY": "False"})
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # kill -9 once it is writing: the progress bar has moved past its first batch
    seen = ""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        seen += proc.stderr.read(1)
        if " 64/" in seen[-300:] or " 128/" in seen[-300:]:
            break
    assert proc.poll() is None, f"the index build ended before it could be killed:\n{seen[-500:]}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = ChromaStore(settings.store)
    assert store.live_fingerprint() == first.fingerprint
    a = Assistant.from_settings(settings)  # the old corpus, the old index: nothing to rebuild
    assert not a.index_report.built
    hits = a.search("建设期满后如何验收", k=3)
    assert hits and all(h.doc_id == "nqsl-measures-2023" for h in hits)
    # the next build succeeds and replaces it
    done = subprocess.run([sys.executable, "-m", "assistant", "index"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "index built" in done.stdout
    assert ChromaStore(settings.store).live_fingerprint() != first.fingerprint

