"""Evaluation of answers on the development set (eval/questions.jsonl).

``run_answer_eval(questions_path, answerer)`` asks every question through ``answerer.ask`` (the
facade ``Assistant`` or an ``Answerer``) and measures:

- key-fact coverage: share of expected key facts that appear in the answer text (answerable
  questions; whitespace-insensitive); also the share of questions with all their facts;
- citation precision: share of citations of answered answerable questions whose cited passage
  holds one of the question's evidence texts (same document, whitespace-insensitive containment);
- quote grounding: share of all citations whose quote is a verbatim span of its document's cleaned
  text (whitespace-insensitive), the cleaned text coming from the corpus loader;
- refusal accuracy (unanswerable questions refused) and false-refusal rate (answerable refused);
- numbers check: share of answers in which every number (ordinals, markers and the cited
  locators left out) appears in a cited passage;
- latency p50/p95 of ``ask`` (warm: one question is asked before timing starts).

``format_answer_eval`` prints the numbers and the failures. ``python -m assistant.evaluation.answers
--calibrate`` prints the refusal gate's signals for every question, to set its thresholds.
It does not judge wording; a human reads the sample answers it prints.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from assistant.answering.citations import unsupported_numbers
from assistant.types import Answer, Passage


def _norm(s: str) -> str:
    return "".join(s.split())


def load_questions(path: Path | str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _doc_texts() -> dict[str, str]:
    """Cleaned text of every document (the corpus loader), to check quotes against."""
    from assistant.corpus import load_corpus
    from assistant.settings import Settings

    return {d.meta.id: _norm(d.text) for d in load_corpus(Settings().corpus_dir)}


def _holds_evidence(doc_id: str, passage_text: str, evidence: list[dict]) -> bool:
    pt = _norm(passage_text)
    for ev in evidence:
        if ev.get("doc_id") != doc_id:
            continue
        et = _norm(ev.get("text", ""))
        if et and (et in pt or (len(pt) >= 8 and pt in et)):
            return True
    return False


def _numbers_ok(answer: Answer) -> bool:
    cited = [
        Passage(chunk_id=str(i), doc_id=c.doc_id, doc_title=c.doc_title, doc_short_title=c.doc_title,
                locator=c.locator, text=c.text, status=c.status, date="")
        for i, c in enumerate(answer.citations)
    ]
    return not unsupported_numbers(answer.text, cited)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run_answer_eval(questions_path: Path | str, answerer, doc_texts: dict[str, str] | None = None) -> dict:
    questions = load_questions(questions_path)
    docs = doc_texts if doc_texts is not None else _doc_texts()
    if questions:
        answerer.ask(questions[0]["question"], questions[0].get("history"))  # warm caches and models
    facts_total = facts_found = 0
    all_facts_q = answerable = 0
    cit_total = cit_ok = 0
    quotes_total = quotes_ok = 0
    refused_unans = unans = refused_ans = 0
    num_ok = num_total = 0
    latencies: list[float] = []
    rows: list[dict] = []
    for q in questions:
        t0 = time.perf_counter()
        a: Answer = answerer.ask(q["question"], q.get("history"))
        latencies.append((time.perf_counter() - t0) * 1000)
        text = _norm(a.text)
        row = {"id": q["id"], "question": q["question"], "answerable": q["answerable"], "refused": a.refused,
               "backend": a.backend, "problems": []}
        if q["answerable"]:
            answerable += 1
            if a.refused:
                refused_ans += 1
                row["problems"].append("false refusal")
            missing = [f for f in q.get("key_facts", []) if _norm(f) not in text]
            facts_total += len(q.get("key_facts", []))
            facts_found += len(q.get("key_facts", [])) - len(missing)
            all_facts_q += not missing
            if missing:
                row["problems"].append(f"missing facts {missing}")
            if not a.refused:
                for c in a.citations:
                    cit_total += 1
                    if _holds_evidence(c.doc_id, c.text, q.get("evidence", [])):
                        cit_ok += 1
                    else:
                        row["problems"].append(f"citation without evidence {c.doc_id} {c.locator}")
        else:
            unans += 1
            if a.refused:
                refused_unans += 1
            else:
                row["problems"].append("answered an unanswerable question")
        for c in a.citations:
            quotes_total += 1
            if _norm(c.quote) and _norm(c.quote) in docs.get(c.doc_id, ""):
                quotes_ok += 1
            else:
                row["problems"].append(f"quote not in document {c.doc_id}: {c.quote[:30]}")
        num_total += 1
        if _numbers_ok(a):
            num_ok += 1
        else:
            row["problems"].append("number not in a cited passage")
        row["answer"] = a.text
        rows.append(row)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "questions": len(questions),
        "answerable": answerable,
        "unanswerable": unans,
        "key_fact_coverage": ratio(facts_found, facts_total),
        "questions_with_all_facts": ratio(all_facts_q, answerable),
        "citation_precision": ratio(cit_ok, cit_total),
        "quote_grounding": ratio(quotes_ok, quotes_total),
        "refusal_accuracy": ratio(refused_unans, unans),
        "false_refusal_rate": ratio(refused_ans, answerable),
        "numbers_check": ratio(num_ok, num_total),
        "latency_ms_p50": round(_percentile(latencies, 0.5), 1),
        "latency_ms_p95": round(_percentile(latencies, 0.95), 1),
        "rows": rows,
    }


TARGETS = {
    "key_fact_coverage": (">=", 0.90),
    "citation_precision": (">=", 0.95),
    "quote_grounding": (">=", 1.0),
    "numbers_check": (">=", 1.0),
    "refusal_accuracy": (">=", 0.90),
    "false_refusal_rate": ("<=", 0.05),
    "latency_ms_p50": ("<", 300.0),
}


def format_answer_eval(result: dict, show_failures: int = 40) -> str:
    lines = [f"Answer evaluation: {result['questions']} questions "
             f"({result['answerable']} answerable, {result['unanswerable']} unanswerable)", ""]
    for key, (op, target) in TARGETS.items():
        v = result.get(key)
        if v is None:  # nothing to measure (a set without unanswerable questions)
            lines.append(f"  {key:<26} {'n/a':>8}   target {op} {target}")
            continue
        ok = v >= target if op == ">=" else v <= target if op == "<=" else v < target
        lines.append(f"  {key:<26} {v!s:>8}   target {op} {target}   {'ok' if ok else 'MISS'}")
    lines.append(f"  {'questions_with_all_facts':<26} {result.get('questions_with_all_facts')!s:>8}")
    lines.append(f"  {'latency_ms_p95':<26} {result.get('latency_ms_p95')!s:>8}")
    bad = [r for r in result["rows"] if r["problems"]]
    if bad:
        lines += ["", f"Questions with problems ({len(bad)}):"]
        for r in bad[:show_failures]:
            lines.append(f"  {r['id']} {r['question']}")
            for p in r["problems"]:
                lines.append(f"      - {p}")
    return "\n".join(lines)


def _calibrate(questions_path: Path) -> None:
    """Print the refusal gate's signals per question (answerable vs not), to set thresholds."""
    from assistant import Assistant

    a = Assistant.from_settings()
    ans = a.answerer
    for q in load_questions(questions_path):
        t = ans.prepare.invoke(__import__("assistant.answering.chain", fromlist=["Turn"]).Turn(q["question"], q.get("history")))
        d = t.decision
        print(f"{q['id']}\t{'A' if q['answerable'] else 'U'}\t{d.coverage:.2f}\t{int(d.refuse)}\t{t.analysis.kind}\t"
              f"{t.analysis.fact}\t{d.reason or ''}\t{q['question']}")


if __name__ == "__main__":
    import sys

    path = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"
    if "--calibrate" in sys.argv:
        _calibrate(path)
    else:
        from assistant import Assistant

        # The answer chain alone (the facade adds an eligibility report when a message carries figures).
        res = run_answer_eval(path, Assistant.from_settings().answerer)
        print(format_answer_eval(res, show_failures=200))
        if "--answers" in sys.argv:
            for r in res["rows"]:
                print(f"\n## {r['id']} {r['question']}\n{r['answer']}")
