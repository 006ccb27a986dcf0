"""Web app timings: app start with the index already built, and time to the first streamed words
of an extractive answer in a real browser (chat UI and widget page).

    python benchmarks/bench_web.py [--runs 10] [--starts 3]

Method:
- start: ``python app.py`` as a fresh process (index already built, default settings except a
  free port and a temporary data dir); the clock runs from spawn to the first 200 on /healthz.
  Median of ``--starts`` starts.
- first words: Chromium (Playwright) on the running app; the question is typed, then one
  in-page script clicks Send and watches the DOM with a MutationObserver: time to the first
  non-empty answer text in the assistant's bubble ("first words"), and to the finished answer with
  its citation cards ("complete"). Browser-side clock (performance.now), so Playwright's own
  round-trips are not counted. One warm-up question, then ``--runs`` questions; p50 and max.
Targets (issue 5): first words < 1 s, start < 15 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "申报国家质量标准实验室需要满足哪些条件？",
    "地方单位由谁推荐申报？",
    "建设期满后如何验收？",
    "仪器设备现值要求多少？",
    "实验室建设期限是多久？",
    "评估不合格会怎样？",
    "依托单位有哪些职责？",
    "中央企业申报由谁推荐？",
    "国家质量标准实验室的主要任务是什么？",
    "Who recommends a local institution?",
    "实验室主任有什么要求？",
    "近5年国家级科研项目要多少项？",
]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# Clicks Send and resolves with [ms to first words, ms to complete answer].
MEASURE_UI = """
() => new Promise((resolve, reject) => {
  const chat = document.querySelector('#qsl-chat');
  const before = chat.querySelectorAll('.qsl-answer:not(.qsl-streaming)').length;
  let first = null;
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    const live = chat.querySelectorAll('.qsl-answer');
    const last = live[live.length - 1];
    if (first === null && last && live.length > before && last.innerText.trim()) first = performance.now() - t0;
    if (first !== null && chat.querySelectorAll('.qsl-answer:not(.qsl-streaming)').length > before) {
      obs.disconnect(); resolve([first, performance.now() - t0]);
    }
  });
  obs.observe(chat, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { obs.disconnect(); reject(new Error('no answer in 60 s')); }, 60000);
  document.querySelector('#qsl-send').click();
})
"""

MEASURE_WIDGET = """
() => new Promise((resolve, reject) => {
  const log = document.querySelector('#log');
  const before = log.querySelectorAll('.bot').length;
  let first = null;
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    const bots = log.querySelectorAll('.bot');
    const last = bots[bots.length - 1];
    if (!last || bots.length <= before) return;
    const live = last.querySelector('.qsl-streaming');
    if (first === null && ((live && live.innerText.trim() && !live.querySelector('.typing')) || last.querySelector('.qsl-cite')))
      first = performance.now() - t0;
    if (first !== null && last.querySelector('.qsl-answer:not(.qsl-streaming)')) { obs.disconnect(); resolve([first, performance.now() - t0]); }
  });
  obs.observe(log, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { obs.disconnect(); reject(new Error('no answer in 60 s')); }, 60000);
  document.querySelector('#send').click();
})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data_dir: str) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {**os.environ, "QSL_WEB__PORT": str(port), "QSL_WEB__HOST": "127.0.0.1", "QSL_WEB__DATA_DIR": data_dir}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < 300:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited during start")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("app did not start in 300 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def p50(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--starts", type=int, default=3)
    args = ap.parse_args()

    from assistant import Assistant
    from assistant.settings import Settings

    settings = Settings()
    print(f"answer backend: {settings.answer.backend}; index: {settings.store.path}")
    t = time.perf_counter()
    Assistant.from_settings(settings)  # make sure the index is built before timing starts
    print(f"index ready (built or checked) in {time.perf_counter() - t:.1f} s")

    data_dir = tempfile.mkdtemp(prefix="qsl-bench-web-")
    starts = []
    for _ in range(args.starts):
        proc, base, secs = start_app(data_dir)
        starts.append(secs)
        stop(proc)
    print(f"\napp start (spawn `python app.py` -> /healthz 200), {len(starts)} starts: "
          f"median {p50(starts):.2f} s, max {max(starts):.2f} s  [target < 15 s]")

    from playwright.sync_api import sync_playwright

    proc, base, _ = start_app(data_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            page.goto(base + "/ui/")
            page.wait_for_selector("#qsl-q textarea")
            results = []
            qs = QUESTIONS[: args.runs + 1]
            for i, q in enumerate(qs):
                page.locator("#qsl-q textarea").fill(q)
                first, done = page.evaluate(MEASURE_UI)
                if i > 0:  # the first question warms up the answer path
                    results.append((first, done))
            firsts = [r[0] for r in results]
            dones = [r[1] for r in results]
            print(f"\nchat UI (/ui/), extractive, {len(results)} questions after 1 warm-up:")
            print(f"  first words: p50 {p50(firsts):.0f} ms, max {max(firsts):.0f} ms  [target < 1000 ms]")
            print(f"  complete answer with citation cards: p50 {p50(dones):.0f} ms, max {max(dones):.0f} ms")

            page.goto(base + "/widget")
            results = []
            for i, q in enumerate(qs):
                page.locator("#q").fill(q)
                first, done = page.evaluate(MEASURE_WIDGET)
                if i > 0:
                    results.append((first, done))
            firsts = [r[0] for r in results]
            dones = [r[1] for r in results]
            print(f"\nwidget page (/widget), extractive, {len(results)} questions after 1 warm-up:")
            print(f"  first words: p50 {p50(firsts):.0f} ms, max {max(firsts):.0f} ms  [target < 1000 ms]")
            print(f"  complete answer with citation cards: p50 {p50(dones):.0f} ms, max {max(dones):.0f} ms")
            browser.close()
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
