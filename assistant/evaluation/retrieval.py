"""Retrieval evaluation: this pipeline against three baselines, in one run.

Systems compared on the answerable questions of eval/questions.jsonl:
- ``hybrid``: this product's retrieval (structure-aware chunks, BM25 + dense at chunk and sentence
  grain, fused, article lookup, named-document prior);
- ``hybrid_chunk_legs_only``: the same without the sentence-grain legs (an ablation);
- ``langchain_tutorial``: the usual LangChain tutorial pipeline, RecursiveCharacterTextSplitter
  (500 / 50) over the same cleaned texts, the same embedder, a Chroma vector store, top-5;
- ``bm25``: the lexical leg alone;
- ``dense``: the dense leg alone.

Metrics: Recall@5, the share of evidence texts found in the top 5 passages (an evidence text is
found when a passage contains at least 80 % of it as one contiguous run, whitespace ignored, so a
splitter that cuts a sentence in two is not credited with it), and MRR of the first passage
holding any evidence of the question. Also: index build time (cold, in a fresh process, model load
included), warm query latency p50/p95 and peak memory (max RSS) of that process.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

K = 5
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub("", text)


def holds(passage_text: str, evidence: str, share: float = 0.8) -> bool:
    p, e = _norm(passage_text), _norm(evidence)
    if not e:
        return False
    if e in p:
        return True
    m = SequenceMatcher(None, p, e, autojunk=False).find_longest_match(0, len(p), 0, len(e))
    return m.size >= share * len(e)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score_system(questions: list[dict], search) -> dict:
    found = total = 0
    rr: list[float] = []
    latencies: list[float] = []
    misses = []
    for q in questions:
        evidence = [e for e in q["evidence"] if not e.get("nearest")]
        if not q.get("answerable", True) or not evidence:
            continue
        t0 = time.perf_counter()
        texts = search(q["question"])[:K]
        latencies.append(time.perf_counter() - t0)
        hits = [any(holds(t, e["text"]) for t in texts) for e in evidence]
        found += sum(hits)
        total += len(evidence)
        first = next((rank for rank, t in enumerate(texts, 1) if any(holds(t, e["text"]) for e in evidence)), None)
        rr.append(1.0 / first if first else 0.0)
        if not all(hits):
            misses.append(q["id"])
    latencies.sort()
    return {
        "recall@5": round(found / total, 4) if total else 0.0,
        "mrr": round(sum(rr) / len(rr), 4) if rr else 0.0,
        "questions": len(rr),
        "evidence_texts": total,
        "latency_ms_p50": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "missed": misses,
    }


class _LangChainEmbeddings:
    """Adapter giving the product's embedder the LangChain ``Embeddings`` interface."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts):
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text):
        return self.embedder.embed_queries([text])[0].tolist()


def tutorial_pipeline(docs, embedder, persist_dir: str):
    """The LangChain tutorial: split 500/50, embed, Chroma, similarity top-5."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class Adapter(_LangChainEmbeddings, Embeddings):
        pass

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    pieces = splitter.split_documents(
        [Document(page_content=d.text, metadata={"doc_id": d.meta.id}) for d in docs]
    )
    from chromadb.config import Settings as ChromaSettings

    store = Chroma(
        collection_name="tutorial", embedding_function=Adapter(embedder), persist_directory=persist_dir,
        client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True, persist_directory=persist_dir),
    )
    store.add_documents(pieces)
    return lambda q: [d.page_content for d in store.similarity_search(q, k=K)]


_COLD_BUILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from assistant import Assistant
from assistant.settings import Settings, StoreSettings
s = Settings(store=StoreSettings(path=sys.argv[1]))
a = Assistant.from_settings(s)
build = time.perf_counter() - t0
qs = [json.loads(l)["question"] for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
for q in qs[:5]:
    a.search(q, 5)
lat = []
for q in qs:
    t = time.perf_counter(); a.search(q, 5); lat.append(time.perf_counter() - t)
lat.sort()
print(json.dumps({"build_s": build, "chunks": a.index_report.chunks,
                  "p50_ms": 1000 * lat[len(lat) // 2], "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def cold_build(questions_path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _COLD_BUILD, tmp, str(questions_path)],
            capture_output=True, text=True, check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_retrieval_eval(questions_path: Path) -> dict:
    from assistant import Assistant

    questions = load_questions(questions_path)
    perf = cold_build(questions_path)
    a = Assistant.from_settings()
    r = a.retriever
    r.search(questions[0]["question"], K)  # warm-up: jieba's dictionary loads on first use
    systems = {
        "hybrid": lambda q: [p.text for p in r.search(q, K)],
        "bm25": lambda q: [p.text for p in r.search(q, K, legs=("lexical",))],
        "dense": lambda q: [p.text for p in r.search(q, K, legs=("dense",))],
        "hybrid_chunk_legs_only": lambda q: [p.text for p in r.search(q, K, legs=("dense", "lexical"))],
    }
    with tempfile.TemporaryDirectory() as tmp:
        systems["langchain_tutorial"] = tutorial_pipeline(list(a.docs.values()), a.embedder, tmp)
        results = {name: score_system(questions, fn) for name, fn in systems.items()}
    by_type: dict[str, list[dict]] = {}
    for q in questions:
        by_type.setdefault(q.get("type", "?"), []).append(q)
    hybrid_by_type = {
        t: score_system(qs, systems["hybrid"])["recall@5"]
        for t, qs in sorted(by_type.items())
        if any(q.get("answerable", True) for q in qs)
    }
    return {"systems": results, "hybrid_recall_by_type": hybrid_by_type, "performance": perf,
            "questions_file": str(questions_path)}


def format_retrieval_eval(result: dict) -> str:
    lines = ["system               Recall@5    MRR    p50 ms   p95 ms", "-" * 58]
    for name, s in result["systems"].items():
        lines.append(
            f"{name:<20} {s['recall@5']:>8.3f} {s['mrr']:>7.3f} {s['latency_ms_p50']:>8} {s['latency_ms_p95']:>8}"
        )
    h = result["systems"]["hybrid"]
    lines.append(f"\n{h['questions']} answerable questions, {h['evidence_texts']} evidence texts")
    lines.append("hybrid Recall@5 by question type: " + ", ".join(f"{t} {v:.2f}" for t, v in result["hybrid_recall_by_type"].items()))
    lines.append(f"hybrid misses: {', '.join(h['missed']) or 'none'}")
    p = result["performance"]
    lines.append(
        f"\ncold index build (fresh process, model load included): {p['build_s']:.1f} s for {p['chunks']} chunks; "
        f"warm query latency p50 {p['p50_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms; peak RSS {p['peak_rss_mb']:.0f} MB"
    )
    return "\n".join(lines)
