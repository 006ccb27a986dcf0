"""The embeddable widget on host sites served from other loopback origins (real browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_allowed_host_embeds_the_widget_and_gets_an_answer(app_server, host_sites, page):
    page.goto(host_sites.allowed + "/ministry-host.html")
    button = page.locator("#qsl-widget button.btn")  # Playwright's CSS pierces the open shadow root
    expect(button).to_contain_text("申报政策咨询")
    button.click()
    frame = page.frame_locator("#qsl-widget iframe")
    frame.locator("#q").fill("地方单位由谁推荐申报？")
    frame.locator("#send").click()
    answer = frame.locator(".bot .qsl-answer:not(.qsl-streaming)").last
    expect(answer.locator(".qsl-text")).to_contain_text("推荐")
    card = answer.locator("a.qsl-cite").first
    expect(card).to_contain_text("《国家质量标准实验室管理办法》")
    card.click()
    expect(frame.locator(".qsl-modal mark.qsl-hl")).to_be_visible()
    frame.locator(".qsl-modal-close").click()

    frame.locator(".fb-btn").nth(0).click()  # thumbs up
    expect(frame.locator(".fb-comment")).to_be_visible()
    logged = app_server.service.store.questions()
    assert logged[0].channel == "widget" and logged[0].question == "地方单位由谁推荐申报？" and logged[0].rating == 1

    page.locator("#qsl-widget button.x").click()
    expect(page.locator("#qsl-widget .panel")).to_be_hidden()


def test_widget_example_question_in_english(app_server, host_sites, page):
    page.goto(host_sites.allowed + "/ministry-host.html")
    page.evaluate(
        "base => { const s = document.createElement('iframe'); s.id = 'en'; s.src = base + '/widget?lang=en';"
        " s.width = 400; s.height = 600; document.body.appendChild(s); }",
        app_server.base,
    )
    frame = page.frame_locator("#en")
    expect(frame.locator(".notice")).to_contain_text("guidance only")
    frame.locator("button.example").first.click()
    expect(frame.locator(".bot .qsl-answer:not(.qsl-streaming) a.qsl-cite").first).to_be_visible()


def test_host_not_on_the_allow_list_is_refused(app_server, host_sites, page):
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text))
    page.goto(host_sites.other + "/ministry-host.html")
    page.wait_for_load_state("networkidle")
    # the loader's configuration request is refused by CORS, so no button appears …
    expect(page.locator("#qsl-widget")).to_have_count(0)
    assert any("not allowed to embed" in w for w in warnings), warnings

    # … and framing the chat page directly is refused by the browser (CSP frame-ancestors)
    page.goto(host_sites.other + "/frame.html")
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("#direct")
    expect(frame.locator("#q")).to_have_count(0)
    assert any("frame-ancestors" in w for w in warnings), warnings

    # the same page on the allowed origin does show the chat page
    page.goto(host_sites.allowed + "/frame.html")
    expect(page.frame_locator("#direct").locator("#q")).to_be_visible()
