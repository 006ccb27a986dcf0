"""The administration pages in a real browser: upload a .docx with its facts, preview its tree,
publish it and see the assistant cite it within seconds; curate an answer from a logged question
and see it answer a paraphrase; remove the document; the history says who did what.

A server of its own (admin credentials set), over a copy of the corpus and of the session's web
index (no embedding of the five documents again)."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = ("admin", "s3cret-admin")
DOC_ID = "nqsl-review-rules-2025"


@pytest.fixture(scope="module")
def admin_server(web_assistant, tmp_path_factory, serve_app):
    from assistant import Assistant
    from assistant.settings import RateLimitSettings, Settings, StoreSettings, WebSettings

    base = tmp_path_factory.mktemp("admin")
    shutil.copytree(web_assistant.settings.corpus_dir, base / "corpus",
                    ignore=shutil.ignore_patterns("history.jsonl", "originals", "archive", ".*"))
    shutil.copytree(web_assistant.settings.store.path, base / "index")
    settings = Settings(corpus_dir=base / "corpus", store=StoreSettings(path=base / "index"),
                        web=WebSettings(data_dir=base / "data", admin_password=ADMIN[1]),
                        rate_limits=RateLimitSettings(enabled=False))
    served = serve_app(Assistant.from_settings(settings), settings)
    yield served
    served.server.should_exit = True
    served.thread.join(timeout=10)


@pytest.fixture
def admin_page(browser, admin_server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                              http_credentials={"username": ADMIN[0], "password": ADMIN[1]})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def ask(base: str, question: str) -> dict:
    r = httpx.post(base + "/api/v1/ask", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["answer"]


def cited(base: str, question: str, doc_id: str, locator: str, within_s: float = 120) -> dict:
    """The answer once it cites ``doc_id`` ``locator``. The server takes a change up in seconds
    (embedding the new document's passages and bank questions); the bound is generous because a
    CI machine's two cores may be busy with other tests' servers."""
    deadline = time.monotonic() + within_s
    while True:
        answer = ask(base, question)
        if any(c["doc_id"] == doc_id and c["locator"] == locator for c in answer["citations"]):
            return answer
        assert time.monotonic() < deadline, answer
        time.sleep(0.5)


def test_the_admin_pages_need_the_admin_credentials(admin_server):
    assert httpx.get(admin_server.base + "/admin/", timeout=10).status_code == 401
    assert httpx.get(admin_server.base + "/admin/", auth=("helpdesk", "x"), timeout=10).status_code == 401
    assert httpx.get(admin_server.base + "/admin/", auth=ADMIN, timeout=10).status_code == 200
    # a form posted from another site is refused even with the credentials
    r = httpx.post(admin_server.base + "/admin/documents/remove", data={"doc_id": "nqsl-guidance-2022"}, auth=ADMIN,
                   headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert r.status_code == 403


def test_upload_preview_publish_curate_and_remove(admin_server, admin_page, tmp_path):
    import policy_files as pf

    base, page = admin_server.base, admin_page
    f = tmp_path / "评审细则.docx"
    f.write_bytes(pf.docx())
    page.goto(base + "/admin/")
    page.set_input_files("#f-file", str(f))
    page.fill("#f-id", DOC_ID)
    page.fill("#f-alias", "评审细则")
    page.click("#f-preview")
    facts = page.locator("#preview-facts")
    expect(facts).to_contain_text(pf.NUMBER)
    expect(facts).to_contain_text("2025-03-18")
    expect(page.locator("#preview-tree")).to_contain_text("第十八条")
    expect(page.locator("#preview-tree")).to_contain_text("第二章")
    assert not (admin_server.service.settings.corpus_dir / "raw" / f"{DOC_ID}.txt").exists()  # nothing yet
    page.click("#f-publish")
    expect(page.locator(".msg.ok")).to_contain_text("已发布")
    expect(page.locator("table").first).to_contain_text(DOC_ID)
    answer = cited(base, "评审细则规定申报材料每年什么时候之前要交？", DOC_ID, "第五条")
    assert "4月30日" in answer["text"]

    # a broken file is refused with the reason, nothing changed
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(pf.broken()["corrupt.pdf"])
    page.goto(base + "/admin/")
    page.set_input_files("#f-file", str(bad))
    page.click("#f-preview")
    expect(page.locator(".msg.error")).to_contain_text("PDF")

    # curation from a logged question
    asked = ask(base, "递交材料后形式审查得审多久？")
    page.goto(base + "/admin/curation")
    row = page.locator("tr", has_text="递交材料后形式审查得审多久？").first
    row.get_by_role("link", name="校正").first.click()
    page.select_option("#c-doc1", DOC_ID)
    page.fill("#c-loc1", "第十二条")
    page.click("#c-show")
    expect(page.locator("#cur-article")).to_contain_text("15个工作日内完成")
    page.fill("#c-span", "形式审查由推荐单位在收到申报材料后15个工作日内完成")
    page.fill("#c-answer", "15个工作日内")
    page.select_option("#c-asks", "duration")
    page.click("#c-save")
    expect(page.locator(".msg.ok")).to_contain_text("已保存")
    expect(page.locator("#curated")).to_contain_text("第十二条")
    answer = cited(base, "递交材料后形式审查得审多久？", DOC_ID, "第十二条", within_s=60)
    assert "15个工作日" in answer["text"], (asked, answer)
    page.goto(base + "/admin/curation")
    expect(page.locator("#curated")).to_contain_text("使用中")

    # remove; the history names the admin
    page.goto(base + "/admin/")
    page.get_by_role("button", name=f"删除 《{pf.TITLE}》（{DOC_ID}）").click()
    expect(page.locator(".msg.ok")).to_contain_text("已删除")
    history = page.locator("#history")
    expect(history).to_contain_text("remove")
    expect(history).to_contain_text("curate")
    expect(history).to_contain_text("add")
    expect(history.locator("tr").first).to_contain_text("admin")
    deadline = time.monotonic() + 30
    while any(c["doc_id"] == DOC_ID for c in ask(base, "评审细则规定申报材料每年什么时候之前要交？")["citations"]):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    page.goto(base + "/admin/curation")
    expect(page.locator("#curated")).to_contain_text("待复核")
