"""Who may open the help-desk console (and its CSV export), against the real app and Assistant.

With ``console_password`` set: HTTP Basic auth on every path under /console (Gradio's own calls
included). Without it: loopback clients only. Public pages and the REST API stay open either way.
"""

from __future__ import annotations

import base64
import csv
import io

import pytest
from fastapi.testclient import TestClient

from assistant.settings import RateLimitSettings, Settings, StoreSettings, WebSettings
from assistant.web.auth import basic_credentials, is_loopback

USER, PASSWORD = "desk-7", "s3cret·密码"
REMOTE = ("203.0.113.5", 50000)  # TEST-NET-3: never this machine
LOOPBACK = ("127.0.0.1", 50000)
CHALLENGE = 'Basic realm="qsl-console"'

# Paths only staff may open: the page, Gradio's config and API info, and the CSV export.
GUARDED = ["/console/", "/console/config", "/console/gradio_api/info", "/console/export.csv",
           "/console/export.csv?only_negative=true"]
# Public surfaces, unaffected by the console settings.
PUBLIC = ["/healthz", "/ui/", "/ui/config", "/widget", "/widget.js", "/api/v1/documents",
          "/api/v1/widget/config", "/article?doc=nqsl-measures-2023&locator=%E7%AC%AC%E5%8D%81%E4%BA%8C%E6%9D%A1"]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="session")
def web_assistant(tmp_path_factory):
    from assistant import Assistant

    # Same path as tests/test_web_api.py and the browser tests: the index is built once per session.
    return Assistant.from_settings(Settings(store=StoreSettings(path=tmp_path_factory.getbasetemp() / "web-index")))


def _app(web_assistant, tmp_path_factory, **web):
    from assistant.web import create_app

    # The lockout after failed logins has its own test (test_web_limits.py); here every wrong
    # credential must get its 401.
    settings = web_assistant.settings.model_copy(
        update={"web": WebSettings(data_dir=tmp_path_factory.mktemp("console-data"), **web),
                "rate_limits": RateLimitSettings(console_login="1000/minute")})
    app = create_app(web_assistant, settings)
    store = app.state.service.store
    qid = store.log_question(channel="widget", question="设备原值算不算？", answer="只计现值。")
    store.add_feedback(qid, -1, "希望说明原值")
    store.log_question(channel="api", question="谁来推荐？", answer="主管部门。")
    return app


@pytest.fixture(scope="module")
def protected(web_assistant, tmp_path_factory):
    """A client from a remote address to the app with a console password."""
    app = _app(web_assistant, tmp_path_factory, console_user=USER, console_password=PASSWORD)
    with TestClient(app, client=REMOTE, base_url="http://localhost") as c:
        yield c


@pytest.fixture(scope="module")
def open_app(web_assistant, tmp_path_factory):
    """The app without a console password (lifespan started by a loopback client)."""
    app = _app(web_assistant, tmp_path_factory)
    with TestClient(app, client=LOOPBACK, base_url="http://localhost"):
        yield app


def _csv(resp) -> list[dict[str, str]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith("attachment")
    text = resp.content.decode("utf-8-sig")
    about, rest = text.split("\n", 1)  # the first line says what the file holds
    assert "咨询台导出" in about
    return list(csv.DictReader(io.StringIO(rest)))


# ---------------------------------------------------------------------------------------------
# with a console password
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GUARDED + ["/console"])
def test_password_missing_is_401_with_a_login_challenge(protected, path):
    r = protected.get(path, follow_redirects=False)
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == CHALLENGE
    assert r.json()["error"]["status"] == 401
    assert "设备原值" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"  # the usual headers still apply


@pytest.mark.parametrize("headers", [
    basic(USER, "wrong"),
    basic("helpdesk", PASSWORD),  # the default user name is not the configured one
    basic(USER, PASSWORD + "x"),
    basic(USER, ""),
    {"Authorization": "Bearer abc123"},
    {"Authorization": "Basic not-base64!!"},
    {"Authorization": "Basic " + base64.b64encode(PASSWORD.encode()).decode()},  # no "user:"
])
def test_wrong_credentials_are_401(protected, headers):
    for path in ("/console/", "/console/export.csv", "/console/gradio_api/info"):
        r = protected.get(path, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == CHALLENGE, (path, headers)


def test_right_credentials_open_the_console_and_the_export(protected):
    auth = basic(USER, PASSWORD)
    for path in GUARDED:
        assert protected.get(path, headers=auth).status_code == 200, path
    page = protected.get("/console/", headers=auth)
    assert "咨询台工作台" in page.text
    rows = _csv(protected.get("/console/export.csv", headers=auth))
    assert {r["question"] for r in rows} == {"设备原值算不算？", "谁来推荐？"}
    negative = _csv(protected.get("/console/export.csv", params={"only_negative": "true"}, headers=auth))
    assert [(r["question"], r["rating"], r["comment"]) for r in negative] == [("设备原值算不算？", "-1", "希望说明原值")]
    # httpx's own auth sends the same header a browser sends after the login prompt.
    assert protected.get("/console/", auth=(USER, PASSWORD)).status_code == 200


def test_public_pages_need_no_credentials(protected):
    for path in PUBLIC:
        r = protected.get(path)
        assert r.status_code == 200, (path, r.text[:200])
        assert "www-authenticate" not in r.headers
    qid = protected.post("/api/v1/ask", json={"question": "推荐单位有哪些职责？"}).json()["question_id"]
    assert protected.post("/api/v1/feedback", json={"question_id": qid, "rating": "up"}).status_code == 200


def test_no_api_route_lists_the_question_log(protected):
    # The log is read only under /console; a new API route that lists it must be guarded too.
    paths = protected.get("/api/v1/openapi.json").json()["paths"]
    for path, ops in paths.items():
        assert not (path.startswith("/api/v1/feedback") and "get" in ops), path
        assert not any(w in path for w in ("question", "export", "log", "console")), path


# ---------------------------------------------------------------------------------------------
# without a console password
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [LOOPBACK, ("127.3.2.1", 50000), ("::1", 50000)])
def test_no_password_loopback_clients_are_served(open_app, address):
    c = TestClient(open_app, client=address, base_url="http://localhost")
    for path in GUARDED:
        assert c.get(path).status_code == 200, (address, path)
    assert "咨询台工作台" in c.get("/console/").text
    assert {r["question"] for r in _csv(c.get("/console/export.csv"))} == {"设备原值算不算？", "谁来推荐？"}


@pytest.mark.parametrize("address", [REMOTE, ("10.0.0.7", 50000), ("::ffff:203.0.113.5", 50000)])
def test_no_password_other_clients_get_403_saying_what_to_configure(open_app, address):
    c = TestClient(open_app, client=address, base_url="http://localhost")
    for path in GUARDED + ["/console"]:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 403, (address, path, r.status_code)
        error = r.json()["error"]
        assert error["status"] == 403 and "QSL_WEB__CONSOLE_PASSWORD" in error["message"]
        assert "www-authenticate" not in r.headers
        assert "设备原值" not in r.text
    # Credentials do not help while no password is configured.
    assert c.get("/console/", headers=basic("helpdesk", "")).status_code == 403
    for path in PUBLIC:
        assert c.get(path).status_code == 200, (address, path)


def test_client_address_checks():
    for host in ("127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"):
        assert is_loopback(host), host
    for host in ("203.0.113.5", "10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "localhost", "testclient", "", None):
        assert not is_loopback(host), host
    assert basic_credentials(b"Basic " + base64.b64encode(b"a:b:c")) == (b"a", b"b:c")
    assert basic_credentials(b"basic " + base64.b64encode(b"a:")) == (b"a", b"")
    assert basic_credentials(None) is None and basic_credentials(b"Basic") is None
