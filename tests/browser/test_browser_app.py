"""The applicant UI and the help-desk console in a real browser (Chromium via Playwright)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def ask(page, question: str) -> None:
    page.locator("#qsl-q textarea").fill(question)
    page.locator("#qsl-send").click()


def last_answer(page):
    return page.locator("#qsl-chat .qsl-answer:not(.qsl-streaming)").last


def test_chat_answer_with_citation_card_that_opens_the_article(app_server, page):
    page.goto(app_server.base + "/ui/")
    expect(page.locator(".qsl-notice")).to_contain_text("仅供参考")
    ask(page, "地方单位由谁推荐申报？")
    answer = last_answer(page)
    expect(answer.locator(".qsl-text")).to_contain_text("推荐")
    card = answer.locator("a.qsl-cite").filter(has_text="第十条").first
    expect(card).to_contain_text("《国家质量标准实验室管理办法》")
    card.click()
    modal = page.locator(".qsl-modal")
    expect(modal.locator(".qsl-modal-title")).to_contain_text("第十条")
    expect(modal.locator("mark.qsl-hl")).to_contain_text("省级市场监管部门")
    page.keyboard.press("Escape")
    expect(modal).to_have_count(0)
    # no raw markup or JSON leaks into what the applicant reads
    text = page.locator("#qsl-chat").inner_text()
    assert "<div" not in text and '{"' not in text and "**" not in text


def test_example_question_feedback_and_copy(app_server, page, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.base)
    page.goto(app_server.base + "/ui/")
    page.get_by_role("button", name=re.compile("Select example 4")).click()
    answer = last_answer(page)
    expect(answer.locator("a.qsl-cite").first).to_be_visible()

    answer.locator("button.qsl-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "依据条文" in copied and "《国家质量标准实验室管理办法》" in copied and "“" in copied
    assert "<" not in copied

    # Gradio translates its own labels for a zh-CN browser (踩 = thumbs down).
    page.locator("#qsl-chat").get_by_role("button", name="踩").last.click()
    comment = page.locator(".qsl-feedback textarea")
    expect(comment).to_be_visible()
    comment.fill("没有说明验收的具体时间")
    page.locator(".qsl-feedback button").click()
    expect(comment).to_be_hidden()
    rows = app_server.service.store.questions(only_negative=True)
    assert rows and rows[0].question == "建设期满后如何验收？" and rows[0].comment == "没有说明验收的具体时间"
    assert rows[0].channel == "ui"


def test_follow_up_uses_the_conversation(app_server, page):
    page.goto(app_server.base + "/ui/")
    ask(page, "申报国家质量标准实验室由谁推荐？")
    expect(page.locator("#qsl-chat .qsl-answer:not(.qsl-streaming)")).to_have_count(1)
    ask(page, "推荐单位有哪些职责？")
    expect(page.locator("#qsl-chat .qsl-answer:not(.qsl-streaming)")).to_have_count(2)
    expect(last_answer(page).locator("a.qsl-cite").first).to_be_visible()


def test_eligibility_form_refuses_negative_figures_and_reports(app_server, page):
    page.goto(app_server.base + "/ui/")
    page.get_by_role("tab", name="申报条件自测").click()
    area = page.locator("#qsl-f-area_m2 input, #qsl-f-area_m2 textarea").first
    area.fill("-100")
    page.locator("#qsl-check").click()
    expect(page.locator("#qsl-report .qsl-message-error")).to_contain_text("不能为负数")

    area.fill("2200")
    page.locator("#qsl-f-equipment_wan input, #qsl-f-equipment_wan textarea").first.fill("6800")
    page.locator("#qsl-f-projects_count input, #qsl-f-projects_count textarea").first.fill("16")
    page.locator("#qsl-f-affiliation").get_by_text("地方").click()
    page.locator("#qsl-check").click()
    table = page.locator("#qsl-report table.qsl-table")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text="科研用房面积")).to_contain_text("不符合")
    expect(table.locator("tr", has_text="仪器设备现值")).to_contain_text("符合")
    expect(page.locator("#qsl-report")).to_contain_text("省级市场监管部门")
    # a figure left empty is "not provided", never a failing zero
    expect(table.locator("tr", has_text="（四）4")).to_contain_text("未提供")
    # the clause link opens the article like a citation card does
    table.locator("tr", has_text="科研用房面积").locator("a.qsl-clause").click()
    expect(page.locator(".qsl-modal mark.qsl-hl")).to_contain_text("3000")


def test_english_switch(app_server, page):
    page.goto(app_server.base + "/ui/")
    page.locator("#qsl-lang").get_by_text("English").click()
    expect(page.locator(".qsl-title")).to_contain_text("State Quality")
    expect(page.locator(".qsl-notice")).to_contain_text("guidance only")
    ask(page, "Who recommends a local institution?")
    answer = last_answer(page)
    expect(answer.locator("a.qsl-cite").first).to_be_visible()
    expect(answer.locator(".qsl-sources-title")).to_have_text("Sources")


def test_console_search_browse_and_feedback_export(app_server, page):
    store = app_server.service.store
    qid = store.log_question(channel="widget", question="设备原值算不算？", answer="只计现值。")
    store.add_feedback(qid, -1, "希望说明原值")

    page.goto(app_server.base + "/console/")
    page.locator("#qsl-c-query textarea").fill("推荐单位 职责")
    page.locator("#qsl-c-search").click()
    first = page.locator("#qsl-c-results a.qsl-cite").first
    expect(first).to_be_visible()
    first.click()
    expect(page.locator(".qsl-modal-body")).not_to_be_empty()
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="文件目录").click()
    tree = page.locator("#qsl-c-tree")
    expect(tree).to_contain_text("第三章")
    tree.locator("a.qsl-tree-link", has_text="第十二条").first.click()
    expect(page.locator(".qsl-modal-title")).to_contain_text("第十二条")
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="问答与反馈").click()
    page.locator("#qsl-c-filter").get_by_text("仅看差评").click()
    table = page.locator("#qsl-c-table")
    expect(table).to_contain_text("设备原值算不算？")
    expect(table).to_contain_text("希望说明原值")
    with page.expect_download() as dl:
        page.locator("#qsl-c-export").click()
    about, data = open(dl.value.path(), encoding="utf-8-sig").read().split("\n", 1)
    assert "咨询台导出：差评问答" in about  # the first line says what the file holds
    rows = list(csv.DictReader(io.StringIO(data)))
    assert rows and all(r["rating"] == "-1" for r in rows)
    assert any(r["question"] == "设备原值算不算？" for r in rows)
