"""Keeping the knowledge current (issue 11): how long staff changes take to reach the answers.

    .venv/bin/python benchmarks/bench_knowledge.py [--runs 3]

Over a copy of the shipped corpus and of the built index (`python -m assistant index` first; the
index under index/ is copied, never written), each run measures:

1. ``add``: `python -m assistant add rules.docx` (a 实施细则 of 30 articles, tests/policy_files.py),
   as staff run it: a new process that reads and checks the file, writes the corpus, and brings
   the index up to date (only the new document's texts embedded). Target < 10 s.
2. ``re-add``: the same command with the same file: refused as a duplicate, nothing written, the
   index's fingerprint unchanged. Target < 2 s.
3. ``curated``: in a serving process (``LiveAssistant`` over the built assistant, watching every
   0.5 s as the server does), a curated entry is saved (``curated save``: checking and writing
   it); then the time from the save until an answer to a paraphrase of its question quotes its
   span. Target < 1 s.

Bounded: at most --runs runs of each, each command with a timeout. Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import policy_files as pf  # noqa: E402

DOC_ID = "nqsl-review-rules-2025"


def workspace(base: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "corpus", base / "corpus", ignore=shutil.ignore_patterns(".*", "history.jsonl", "originals",
                                                                                     "archive"))
    shutil.copytree(ROOT / "index", base / "index", ignore=shutil.ignore_patterns(".*lock"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    env.update({"QSL_CORPUS_DIR": str(base / "corpus"), "QSL_STORE__PATH": str(base / "index"),
                "QSL_WEB__DATA_DIR": str(base / "data"), "ANONYMIZED_TELEMETRY": "False"})
    return env


def cli(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    return time.perf_counter() - t0, out


def fingerprint(env: dict[str, str]) -> str | None:
    from assistant.settings import StoreSettings
    from assistant.store import ChromaStore

    return ChromaStore(StoreSettings(path=Path(env["QSL_STORE__PATH"]))).live_fingerprint()


def curated_latency(base: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds the save took, seconds from the save to the first answer quoting the span)."""
    from assistant.assistant import Assistant
    from assistant.curation import Curator
    from assistant.live import LiveAssistant
    from assistant.settings import Settings, StoreSettings, WebSettings

    settings = Settings(corpus_dir=Path(env["QSL_CORPUS_DIR"]), store=StoreSettings(path=Path(env["QSL_STORE__PATH"])),
                        web=WebSettings(data_dir=base / "data"))
    live = LiveAssistant(Assistant.from_settings(settings))
    span = "形式审查由推荐单位在收到申报材料后15个工作日内完成"
    live.ask("推荐单位收到申报材料后多久完成形式审查？")  # warm: the answer chain is built
    t_save = time.perf_counter()
    Curator.from_settings(settings).answered("推荐单位形式审查要在多长时间内做完？", DOC_ID, "第十二条", span,
                                             answer="15个工作日内", asks="duration")
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 30:
        answer = live.ask("递交材料后形式审查得审多久？")
        quotes = ["".join(c.quote.split()) for c in answer.citations if c.doc_id == DOC_ID and c.locator == "第十二条"]
        if any(span in q or q in span for q in quotes if q) and live.generation > 0:
            return t0 - t_save, time.perf_counter() - t0
        time.sleep(0.05)
    raise RuntimeError("the curated entry did not answer within 30 s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not (ROOT / "index").is_dir():
        raise SystemExit("build the index first: python -m assistant index")
    rows: dict[str, list[float]] = {"add": [], "re-add": [], "curated save": [], "curated": []}
    embedded = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="qsl-bench-knowledge-") as tmp:
            base = Path(tmp)
            env = workspace(base)
            f = base / "rules.docx"
            f.write_bytes(pf.docx())
            s, out = cli(env, "add", str(f), "--id", DOC_ID)
            assert out.returncode == 0, out.stderr + out.stdout
            rows["add"].append(s)
            embedded.append(out.stdout.split("texts embedded")[0].rsplit("(", 1)[1])
            fp = fingerprint(env)
            before = sorted(p.stat().st_mtime_ns for p in (base / "corpus").rglob("*") if p.is_file())
            s, out = cli(env, "add", str(f))
            assert out.returncode == 2 and "already in the corpus" in out.stderr, out.stderr
            assert fingerprint(env) == fp
            assert sorted(p.stat().st_mtime_ns for p in (base / "corpus").rglob("*") if p.is_file()) == before
            rows["re-add"].append(s)
            saved, answered = curated_latency(base, env)
            rows["curated save"].append(saved)
            rows["curated"].append(answered)
    print(f"{'step':13} {'median s':>9} {'max s':>7}  runs")
    for k, v in rows.items():
        print(f"{k:13} {statistics.median(v):9.2f} {max(v):7.2f}  {', '.join(f'{x:.2f}' for x in v)}")
    print(json.dumps({"runs": args.runs, "seconds": rows, "texts_embedded_by_add": embedded,
                      "cpus": os.cpu_count()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
