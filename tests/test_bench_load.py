"""The short form of the load benchmark (benchmarks/bench_load.py --short), run against the
session's real `chroma run` server: one process and two workers serve an open-loop flood, a
closed-loop saturation run and an abusive client with no error but the intended 429s, /healthz
answers throughout, and 50 MB bodies are refused. Timings are the benchmark's business, not
this test's (eval/REPORT.md has the numbers)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.indexing import build_index
from assistant.settings import ROOT
from assistant.store import ChromaStore

pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_the_short_load_benchmark_runs_clean(chroma_server, built_index, bank, make_settings, tmp_path):
    settings = make_settings(chroma_server.store_settings(collection_prefix="bench"))
    build_index(built_index.docs, built_index.embedder, ChromaStore(settings.store), settings, bank=bank)
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "benchmarks/bench_load.py", "--short", "--chroma-port", str(chroma_server.port),
                        "--prefix", "bench", "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    results = json.loads(out.read_text())
    assert [run["name"] for run in results["runs"]] == ["1 process, Chroma server", "2 workers, Chroma server"]
    for run in results["runs"]:
        assert run["saturation"]["answers"] > 0 and run["saturation"]["errors"] == 0, run
        loop = run["open_loop"]
        assert loop["asks"] > 0 and loop["errors"] == 0, run
        assert loop["healthz"]["probes"] > 0 and loop["healthz"]["errors"] == 0, run
        abuse = loop["abusive_client"]
        assert abuse["429"] > 0 and abuse["other"] == 0, run  # the flooding client, and only it, is limited
        assert run["big_body"]["refusals"] == 10
    assert results["speedup"] > 0
