"""Limits and abuse, against the real app and Assistant (real index in a temp dir): body size,
uploads, one question length, control characters, id ranges, rate limits with Retry-After, the
console lockout, the Host allowlist, the one trusted forwarding header, metrics, local API docs,
and what the question log keeps.

Each test here is one finding of the security review (issue 10) and failed before its fix.
"""

from __future__ import annotations

import base64
import csv
import io
import subprocess
import time

import pytest
from fastapi.testclient import TestClient

from assistant.settings import (
    ROOT,
    ObservabilitySettings,
    QuestionLogSettings,
    RateLimitSettings,
    SecuritySettings,
    Settings,
    StoreSettings,
    WebSettings,
)

USER, PASSWORD = "desk", "s3cret"
LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)  # TEST-NET-3


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="session")
def web_assistant(tmp_path_factory):
    from assistant import Assistant

    # Same path as the other web tests: the index is built once per session.
    return Assistant.from_settings(Settings(store=StoreSettings(path=tmp_path_factory.getbasetemp() / "web-index")))


@pytest.fixture
def make_client(web_assistant, tmp_path):
    """``make_client(client=LOCAL, **settings sub-models) -> TestClient`` of a fresh app."""
    from assistant.web import create_app

    opened = []

    def make(client=LOCAL, base_url="http://localhost", **updates):
        updates.setdefault("web", WebSettings(data_dir=tmp_path / f"data{len(opened)}"))
        app = create_app(web_assistant, web_assistant.settings.model_copy(update=updates))
        c = TestClient(app, client=client, base_url=base_url)
        c.__enter__()
        c.service = app.state.service
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def _error(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.text[:300])
    body = resp.json()
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]["message"]


# ---------------------------------------------------------------------------------------------
# limits
# ---------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(make_client):
    c = make_client()
    big = b'{"question": "' + b"a" * (1024 * 1024) + b'"}'
    assert "too large" in _error(c.post("/api/v1/ask", content=big, headers={"Content-Type": "application/json"}), 413)
    # Gradio's queue used to echo a 50 MB body back; it is refused the same way now.
    r = c.post("/ui/gradio_api/queue/join", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    # A declared length is enough: nothing is read when it is over the bound.
    r = c.post("/api/v1/ask", content=b"{}", headers={"Content-Type": "application/json",
                                                       "Content-Length": str(50 * 1024 * 1024)})
    assert r.status_code == 413


def test_uploads_are_refused(make_client):
    c = make_client()
    for app in ("/ui", "/console"):
        r = c.post(f"{app}/gradio_api/upload", files={"files": ("x.bin", b"0" * 1000)})
        assert r.status_code == 403, (app, r.status_code)
        assert "upload" in r.json()["error"]["message"].lower()


def test_one_question_length_for_schema_forms_and_assistant(make_client, web_assistant):
    c = make_client()
    n = web_assistant.settings.retrieval.max_query_chars
    schema = c.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["AskRequest"]["properties"]["question"]["maxLength"] == n
    text = schema["EligibilityRequest"]["properties"]["text"]
    assert n in [t.get("maxLength") for t in text.get("anyOf", [text])]
    assert "question" in _error(c.post("/api/v1/ask", json={"question": "长" * (n + 1)}), 422)
    assert f'maxlength="{n}"' in c.get("/widget").text
    # at the bound, the question is served (the assistant's own check takes the same number)
    assert c.post("/api/v1/ask", json={"question": "验收" * (n // 2)}).status_code == 200


def test_control_characters_and_nul_are_stripped(make_client):
    c = make_client()
    assert "问题" in _error(c.post("/api/v1/ask", json={"question": "\x00" * 50}), 400)
    assert _error(c.post("/api/v1/ask", json={"question": "\x00\x01\x7f \u202e"}), 400)
    r = c.post("/api/v1/ask", json={"question": "地方单位\x00由谁推荐\u202e申报？"})
    assert r.status_code == 200, r.text
    [row] = c.service.store.questions()
    assert row.question == "地方单位由谁推荐申报？"
    # a lone surrogate (valid JSON, not storable as UTF-8) is a clear 4xx, never a 500
    r = c.post("/api/v1/ask", content='{"question": "建设期多久\\ud800？"}'.encode(),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("qid", [2**63, 2**64, 10**30])
def test_feedback_ids_out_of_range_are_422_not_500(make_client, qid):
    c = make_client()
    assert "question_id" in _error(c.post("/api/v1/feedback", json={"question_id": qid, "rating": "up"}), 422)


def test_the_largest_id_is_simply_unknown(make_client):
    c = make_client()
    _error(c.post("/api/v1/feedback", json={"question_id": 2**63 - 1, "rating": "up"}), 404)


# ---------------------------------------------------------------------------------------------
# abuse
# ---------------------------------------------------------------------------------------------


def test_rate_limits_give_429_with_retry_after(make_client):
    limits = RateLimitSettings(ask="2/minute", search="2/minute", eligibility="2/minute", feedback="2/minute")
    c = make_client(rate_limits=limits)
    qid = c.post("/api/v1/ask", json={"question": "建设期多久？"}).json()["question_id"]
    calls = {
        "ask": lambda: c.post("/api/v1/ask", json={"question": "建设期多久？"}),
        "search": lambda: c.get("/api/v1/search", params={"q": "推荐单位"}),
        "eligibility": lambda: c.post("/api/v1/eligibility", json={"text": "科研用房4200平方米"}),
        "feedback": lambda: c.post("/api/v1/feedback", json={"question_id": qid, "rating": "up"}),
    }
    for scope, call in calls.items():
        statuses = [call().status_code for _ in range(3)]
        assert statuses[:2 if scope != "ask" else 1] == [200] * (2 if scope != "ask" else 1), (scope, statuses)
        r = call()
        msg = _error(r, 429)
        assert "请求过于频繁" in msg
        assert 1 <= int(r.headers["retry-after"]) <= 60, scope
    # another client has its own allowance
    other = TestClient(c.app, client=("127.0.0.2", 1), base_url="http://localhost")
    assert other.get("/api/v1/search", params={"q": "推荐单位"}).status_code == 200
    metrics = c.get("/metrics").text
    assert 'qsl_rate_limited_total{scope="ask"}' in metrics


def test_chat_ui_questions_count_against_the_same_limit(make_client):
    from assistant.web.ratelimit import RateLimited

    # the chat UI admits each message with its visitor's address, as here
    c = make_client(rate_limits=RateLimitSettings(ask="1/minute"))
    c.service.admit("ask", "127.0.0.1")
    with pytest.raises(RateLimited):
        c.service.admit("ask", "127.0.0.1")
    # the REST API sees the same counter for this client
    assert c.post("/api/v1/ask", json={"question": "建设期多久？"}).status_code == 429


def test_console_locks_out_after_failed_logins(make_client):
    c = make_client(client=REMOTE, web=WebSettings(console_user=USER, console_password=PASSWORD),
                    rate_limits=RateLimitSettings(console_login="3/15 minutes"))
    assert c.get("/console/").status_code == 401  # the browser's first request carries no credentials
    for _ in range(3):
        assert c.get("/console/", headers=basic(USER, "guess")).status_code == 401
    r = c.get("/console/", headers=basic(USER, PASSWORD))
    assert "登录失败次数过多" in _error(r, 429) and int(r.headers["retry-after"]) > 0
    # another address is not locked out
    other = TestClient(c.app, client=("203.0.113.10", 1), base_url="http://localhost")
    assert other.get("/console/", headers=basic(USER, PASSWORD)).status_code == 200


def test_host_allowlist_stops_dns_rebinding(make_client):
    c = make_client()  # no console password: loopback clients may read the log
    c.service.store.log_question(channel="api", question="秘密问题", answer="…")
    r = c.get("/console/export.csv", headers={"Host": "rebind.evil.example"})
    assert r.status_code == 400 and "秘密问题" not in r.text
    assert c.get("/console/export.csv", headers={"Host": "localhost:7860"}).status_code == 200
    assert c.get("/console/export.csv", headers={"Host": "127.0.0.1:7860"}).status_code == 200
    # a deployment lists its public name
    d = make_client(security=SecuritySettings(allowed_hosts=["zixun.example.gov.cn"]),
                    base_url="http://zixun.example.gov.cn")
    assert d.get("/api/v1/documents").status_code == 200
    assert d.get("/api/v1/documents", headers={"Host": "localhost"}).status_code == 400
    # health checks answer whatever the Host (probes use the pod's address)
    assert d.get("/healthz", headers={"Host": "10.1.2.3:7860"}).status_code == 200


@pytest.mark.parametrize("header,value,seen", [
    ("x-forwarded-for", "198.51.100.7", "198.51.100.7"),
    ("x-forwarded-for", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry is not believed
    ("x-real-ip", "198.51.100.7", "198.51.100.7"),
    ("forwarded", 'for=6.6.6.6, for="198.51.100.7:4711";proto=https', "198.51.100.7"),
    ("forwarded", 'for="[2001:db8::7]"', "2001:db8::7"),
])
def test_the_one_configured_forwarding_header_names_the_client(make_client, header, value, seen):
    from assistant.web.middleware import ClientAddress

    mw = ClientAddress(None, header, ["127.0.0.1", "::1"])
    others = [(h, v) for h, v in ((b"x-forwarded-for", b"1.1.1.1"), (b"x-real-ip", b"2.2.2.2"),
                                   (b"forwarded", b"for=3.3.3.3")) if h != header.encode()]
    headers = [(header.encode(), value.encode()), *others]
    assert mw.client_host("127.0.0.1", headers) == seen
    # from a peer that is not a trusted proxy, no header counts
    assert mw.client_host("203.0.113.5", headers) == "203.0.113.5"
    # the other headers are ignored: only the configured one counts
    assert ClientAddress(None, "none", ["127.0.0.1"]).client_host("127.0.0.1", headers) == "127.0.0.1"


def test_a_forged_forwarding_header_does_not_open_the_console(make_client):
    # Behind a local proxy that sets X-Real-IP, a visitor who writes X-Forwarded-For: 127.0.0.1
    # must not look local.
    c = make_client(client=LOCAL, security=SecuritySettings(client_ip_header="x-real-ip"))
    r = c.get("/console/", headers={"X-Real-IP": "203.0.113.7", "X-Forwarded-For": "127.0.0.1"})
    assert r.status_code == 403
    assert c.get("/console/", headers={"X-Real-IP": "127.0.0.1"}).status_code == 200
    # and rate limits count the real client
    limited = make_client(client=LOCAL, security=SecuritySettings(client_ip_header="x-forwarded-for"),
                          rate_limits=RateLimitSettings(search="1/minute"))
    for ip in ("198.51.100.1", "198.51.100.2"):
        assert limited.get("/api/v1/search", params={"q": "验收"}, headers={"X-Forwarded-For": ip}).status_code == 200
    assert limited.get("/api/v1/search", params={"q": "验收"},
                       headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429


def test_csv_export_neutralises_formulas(make_client):
    c = make_client()
    store = c.service.store
    for text in ("=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        qid = store.log_question(channel="api", question=text, answer=text)
        store.add_feedback(qid, -1, text)
    _, _, *rows = list(csv.reader(io.StringIO(c.get("/console/export.csv").content.decode("utf-8-sig"))))
    for row in rows:
        for cell in (row[3], row[4], row[10]):
            assert cell[0] not in "=+-@\t\r", cell
    assert {r[9] for r in rows} == {"-1"}  # the rating column stays a number


# ---------------------------------------------------------------------------------------------
# metrics, docs, privacy
# ---------------------------------------------------------------------------------------------


def test_metrics_need_credentials_or_the_token(make_client):
    c = make_client(client=REMOTE, observability=ObservabilitySettings(metrics_token="tok-123"))
    assert c.get("/metrics").status_code == 403
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = c.get("/metrics", headers={"Authorization": "Bearer tok-123"})
    assert r.status_code == 200
    for name in ("qsl_http_requests_total", "qsl_http_request_seconds_bucket", "qsl_answers_total",
                 "qsl_rate_limited_total", "qsl_refused_requests_total", "qsl_index_info{fingerprint="):
        assert name in r.text, name
    p = make_client(client=REMOTE, web=WebSettings(console_password=PASSWORD))
    assert p.get("/metrics").status_code == 401
    assert p.get("/metrics", headers=basic("helpdesk", PASSWORD)).status_code == 200


def test_answers_refusals_and_fallbacks_are_counted(make_client):
    c = make_client()
    c.post("/api/v1/ask", json={"question": "投资补助具体能给多少钱？"})  # the documents give no amount
    c.post("/api/v1/ask", json={"question": "帮我写一首关于春天的诗"})  # not about the documents
    text = c.get("/metrics").text
    assert 'qsl_answers_total{backend="extractive",declined="false",fallback="false",refused="true"}' in text
    assert 'qsl_answers_total{backend="extractive",declined="true",fallback="false",refused="true"}' in text


def test_api_docs_load_nothing_from_elsewhere(make_client):
    c = make_client()
    page = c.get("/api/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs-assets/{asset}" in page.text
        assert c.get(f"/api/docs-assets/{asset}").status_code == 200
    off = make_client(security=SecuritySettings(api_docs=False))
    assert off.get("/api/docs").status_code == 404


def test_dotenv_is_ignored_by_git():
    r = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert r.returncode == 0, ".env (which holds the deployment's secrets) must not be committed"


def test_the_log_masks_personal_data(make_client):
    c = make_client()
    q = "我手机13812345678，邮箱zhang.san@lab.example.cn，身份证110101199003074578，座机010-62345678，设备现值怎么算？"
    r = c.post("/api/v1/ask", json={"question": q})
    assert r.status_code == 200
    c.post("/api/v1/feedback", json={"question_id": r.json()["question_id"], "rating": "down",
                                     "comment": "请回电 +86 139-1234-5678"})
    [row] = c.service.store.questions()
    for secret in ("13812345678", "zhang.san", "110101199003074578", "62345678", "1234-5678"):
        assert secret not in row.question + row.comment, secret
    assert "[手机号]" in row.question and "[邮箱]" in row.question and "[身份证号]" in row.question
    assert "[电话]" in row.question and "[手机号]" in row.comment
    assert "设备现值怎么算" in row.question  # what help-desk needs stays
    about = c.get("/console/export.csv").content.decode("utf-8-sig").split("\n", 1)[0]
    assert "已遮盖" in about and "保留 180 天" in about and "共 1 条" in about


def test_retention_deletes_older_rows(make_client):
    c = make_client(question_log=QuestionLogSettings(retention_days=30))
    store = c.service.store
    # The server purges once when it starts (then hourly): let that first purge pass, or it may
    # delete the aged row below before this test's own purge does.
    readiness = c.app.state.readiness
    deadline = time.monotonic() + 10
    while readiness._last_purge == 0.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    old = store.log_question(channel="api", question="旧问题", answer="…")
    store.add_feedback(old, -1, "旧评价")
    with store._connect() as db:
        db.execute("UPDATE questions SET ts = ts - 31 * 86400 WHERE id = ?", (old,))
    store.log_question(channel="api", question="新问题", answer="…")
    assert store.purge() == 1
    assert [q.question for q in store.questions()] == ["新问题"]
    assert store.counts() == (1, 0)
