"""Accessibility of the public surfaces (GB/T 37668, WCAG 2.1 AA): axe-core (vendored from npm,
tests/browser/vendor/axe.min.js, axe-core 4.14.1, MPL-2.0) run in Chromium over the chat with an
answer, the eligibility form with a report, and the widget; keyboard-only use; the widget at
360 px wide. A serious or critical violation fails the test, listed with its nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# The opacity through which each element under the selector is seen, unchanged over two polls
# 250 ms apart: Gradio dims a component to 0.2 while its event is pending and fades it back in
# over 0.15 s, and axe measures contrast through the opacity it finds, so a check run during the
# fade reports colours nobody sees once it ends. (Chat messages stay at 0.8 by Gradio's design.)
SETTLED = """sel => {
  const els = document.querySelectorAll(sel);
  if (!els.length) return false;
  const now = sel + ':' + Array.from(els, el => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o.toFixed(3);
  }).join(',');
  const same = window.__qslOpacity === now;
  window.__qslOpacity = now;
  return same;
}"""


def settle(page, selector: str) -> None:
    page.wait_for_function(SETTLED, arg=selector, polling=250, timeout=10_000)


def axe_violations(page, context: str | None = None) -> list[dict]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async ([ctx, tags]) => await axe.run(ctx || document, {runOnly: {type: 'tag', values: tags}})",
        [context, TAGS])
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def report(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                 for n in v["nodes"][:5]) for v in violations)


def test_chat_with_an_answer_has_no_serious_violation(app_server, page):
    page.goto(app_server.base + "/ui/")
    page.locator("#qsl-q textarea").fill("地方单位由谁推荐申报？")
    page.locator("#qsl-send").click()
    expect(page.locator("#qsl-chat .qsl-answer:not(.qsl-streaming) a.qsl-cite").first).to_be_visible(timeout=60_000)
    settle(page, "#qsl-chat .qsl-answer a.qsl-cite")
    found = axe_violations(page)
    assert not found, report(found)


def test_eligibility_form_with_a_report_has_no_serious_violation(app_server, page):
    page.goto(app_server.base + "/ui/")
    page.get_by_role("tab", name="申报条件自测").click()
    page.locator("#qsl-f-area_m2 input, #qsl-f-area_m2 textarea").first.fill("1200")
    page.locator("#qsl-check").click()
    expect(page.locator("#qsl-report table.qsl-table a.qsl-clause").first).to_be_visible(timeout=60_000)
    settle(page, "#qsl-report a.qsl-clause")
    found = axe_violations(page)
    assert not found, report(found)


def test_widget_has_no_serious_violation_and_works_by_keyboard_at_360_px(app_server, browser):
    # bypass_csp: the widget's strict CSP (script-src 'self') would refuse the injected axe script;
    # the page's own scripts run as they do for visitors.
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN", bypass_csp=True)
    page = ctx.new_page()
    try:
        page.goto(app_server.base + "/widget")
        found = axe_violations(page)
        assert not found, report(found)
        # nothing wider than the screen: no sideways scrolling at 360 px
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # keyboard only: Tab reaches the question box, Enter sends, the answer comes with a citation
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == "q":
                break
        else:
            pytest.fail("the question box cannot be reached with Tab")
        page.keyboard.type("地方单位由谁推荐申报？")
        page.keyboard.press("Enter")
        cite = page.locator(".bot a.qsl-cite, .bot .qsl-cite").first
        expect(cite).to_be_visible(timeout=60_000)
        settle(page, ".bot .qsl-cite")
        found = axe_violations(page)
        assert not found, report(found)
        # the send button is not cut off at this width
        box = page.locator("#send").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360
    finally:
        ctx.close()


def test_chat_works_by_keyboard(app_server, page):
    page.goto(app_server.base + "/ui/")
    box = page.locator("#qsl-q textarea")
    box.focus()
    page.keyboard.type("建设期满后如何验收？")
    page.keyboard.press("Enter")
    answer = page.locator("#qsl-chat .qsl-answer:not(.qsl-streaming)").last
    expect(answer.locator("a.qsl-cite").first).to_be_visible(timeout=60_000)
    # a citation is reachable with Tab and opens with Enter; Escape closes it
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.classList.contains('qsl-cite')"):
            break
    else:
        pytest.fail("no citation can be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".qsl-modal")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".qsl-modal")).to_have_count(0)
