"""Warm latency of `search` and `ask` (extractive), in one process, on the question sets.

    python benchmarks/bench_latency.py [--questions eval/questions.jsonl] [--repeat 2] [--json out.json]

Every question is asked once to warm up, then ``--repeat`` times timed; p50/p95 of each call.
``search`` and ``ask`` embed their question as a new one would (the embedding cache is cleared
before each round); ``search_seen`` is a question asked before (its embedding remembered: what
is left is the retrieval legs and their fusion).
Prints the machine (cores, load average before and after) with the numbers: they mean little on a
busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default="eval/questions.jsonl")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    from assistant import Assistant

    a = Assistant.from_settings()
    qs = [json.loads(line)["question"] for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in qs:  # warm-up: models, caches of the documents
        a.ask(q)
    load_before = os.getloadavg()[0]
    out = {}
    for name, fn, fresh in (("search", lambda q: a.search(q, 5), True), ("search_seen", lambda q: a.search(q, 5), False),
                            ("ask", lambda q: a.ask(q), True)):
        times = []
        for _ in range(args.repeat):
            if fresh:
                a.embed.clear()  # every timed call embeds its question, as a new question would
            for q in qs:
                t0 = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - t0) * 1000)
        out[name] = {"n": len(times), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 0.95), 1)}
    out["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(),
                      "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
