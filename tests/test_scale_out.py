"""Scale-out on real engines: app processes (``python -m assistant serve``) sharing one real
`chroma run` server, the question log in a real PostgreSQL and the rate-limit counters in a real
Redis, all started by the test run on loopback. Two processes give the same answers and share
the log and the limits; ``--workers 2`` runs two processes behind one port; no feedback row is
lost under 8 writers on either database.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from servers import start_server, stop_server

from assistant.indexing import build_index
from assistant.store import ChromaStore
from assistant.web.store import FeedbackStore, PostgresFeedbackStore

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUESTIONS = ["地方单位由谁推荐申报？", "建设期满后如何验收？", "仪器设备现值要求多少？", "What must a lab's floor area be?"]


@pytest.fixture(scope="module")
def shared(chroma_server, built_index, bank, make_settings, postgres_server, redis_server):
    """The index (with the question bank) built in the Chroma server, empty log and counters; env
    for the app processes, which then find it complete and embed nothing at start."""
    settings = make_settings(chroma_server.store_settings(collection_prefix="scale"))
    build_index(built_index.docs, built_index.embedder, ChromaStore(settings.store), settings, bank=bank)
    postgres_server.truncate()
    redis_server.flush()
    return {
        "QSL_STORE__CHROMA_HOST": chroma_server.host, "QSL_STORE__CHROMA_PORT": str(chroma_server.port),
        "QSL_STORE__COLLECTION_PREFIX": "scale",
        "QSL_QUESTION_LOG__POSTGRES_DSN": postgres_server.dsn,
        "QSL_RATE_LIMITS__STORAGE_URL": redis_server.url,
    }


@pytest.fixture(scope="module")
def two_apps(shared, tmp_path_factory):
    env = {**shared, "QSL_RATE_LIMITS__ENABLED": "true", "QSL_RATE_LIMITS__SEARCH": "6/minute",
           "QSL_RATE_LIMITS__ASK": "1000/minute"}
    tmp = tmp_path_factory.mktemp("two-apps")
    servers = []
    try:
        # started one after the other: both create the tables, neither fails
        for _ in range(2):
            servers.append(start_server(tmp / "no-embedded-index", tmp, **env))
        yield servers
    finally:
        for s in servers:
            stop_server(s)


def test_two_processes_give_the_same_answers(two_apps):
    a, b = two_apps
    for q in QUESTIONS:
        ra = httpx.post(a.base + "/api/v1/ask", json={"question": q}, timeout=60).json()
        rb = httpx.post(b.base + "/api/v1/ask", json={"question": q}, timeout=60).json()
        assert ra["answer"]["text"] == rb["answer"]["text"], q
        assert [c["locator"] for c in ra["answer"]["citations"]] == [c["locator"] for c in rb["answer"]["citations"]]
        assert ra["question_id"] != rb["question_id"]  # one log, one sequence of ids
    ra = httpx.get(a.base + "/readyz", timeout=10).json()
    assert ra["checks"] == {"index": "ok", "question_log": "ok", "rate_limits": "ok"}


def test_two_processes_share_the_question_log(two_apps, postgres_server):
    a, b = two_apps
    qid = httpx.post(a.base + "/api/v1/ask", json={"question": "依托单位有哪些职责？"}, timeout=60).json()["question_id"]
    # feedback on process B for a question answered by process A
    r = httpx.post(b.base + "/api/v1/feedback", json={"question_id": qid, "rating": "down", "comment": "不够具体"},
                   timeout=30)
    assert r.status_code == 200, r.text
    log = PostgresFeedbackStore(postgres_server.dsn)
    try:
        row = next(q for q in log.questions() if q.id == qid)
        assert row.question == "依托单位有哪些职责？" and row.rating == -1 and row.comment == "不够具体"
    finally:
        log.close()
    # the console of process B lists it (loopback client, no password)
    assert "依托单位有哪些职责" in httpx.get(b.base + "/console/export.csv", timeout=30).content.decode("utf-8-sig")


def test_two_processes_share_the_rate_limits(two_apps):
    a, b = two_apps
    statuses = []
    for i in range(8):  # 6 a minute for this client, whichever process it reaches
        server = (a, b)[i % 2]
        statuses.append(httpx.get(server.base + "/api/v1/search", params={"q": "验收"}, timeout=30).status_code)
    assert statuses == [200] * 6 + [429, 429], statuses


def test_several_workers_behind_one_port(shared, tmp_path):
    s = start_server(tmp_path / "no-embedded-index", tmp_path, QSL_SERVE__WORKERS="2", **shared)
    try:
        for q in QUESTIONS * 3:
            r = httpx.post(s.base + "/api/v1/ask", json={"question": q}, timeout=60)
            assert r.status_code == 200, r.text
        text = httpx.get(s.base + "/metrics", timeout=10).text
        # the metrics of both workers, summed: every ask above is counted
        count = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                    if line.startswith('qsl_http_requests_total{') and 'route="/api/v1/ask"' in line)
        assert count >= len(QUESTIONS) * 3
        workers = [line for line in s.log.read_text().splitlines() if "Started server process" in line]
        assert len(workers) == 2, workers
    finally:
        stop_server(s)


def test_workers_need_the_chroma_server(tmp_path):
    import subprocess
    import sys

    from assistant.settings import ROOT

    r = subprocess.run([sys.executable, "-m", "assistant", "serve", "--workers", "2"], cwd=ROOT, timeout=120,
                       capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "QSL_STORE__PATH": str(tmp_path / "idx"), "ANONYMIZED_TELEMETRY": "False"})
    assert r.returncode != 0 and "QSL_STORE__CHROMA_HOST" in r.stderr


def _writers(store, n_writers: int = 8, per_writer: int = 500) -> None:
    errors: list[Exception] = []

    def write(w: int) -> None:
        try:
            for i in range(per_writer):
                qid = store.log_question(channel="api", question=f"写入者{w}-{i}", answer="…")
                store.add_feedback(qid, 1 if i % 2 else -1, f"评价{w}-{i}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(n_writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert store.counts() == (n_writers * per_writer, n_writers * per_writer)


def test_no_feedback_row_is_lost_under_8_writers_on_sqlite(tmp_path):
    _writers(FeedbackStore(tmp_path))


def test_no_feedback_row_is_lost_under_8_writers_on_postgresql(postgres_server):
    postgres_server.truncate()
    store = PostgresFeedbackStore(postgres_server.dsn)
    try:
        _writers(store)
    finally:
        store.close()
