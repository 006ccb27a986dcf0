"""Evaluation of answers: single questions and dialogs, per kind of question.

``run_answer_eval(questions, answerer, dialogs=None)`` asks every question through ``answerer.ask``
(the facade ``Assistant`` or an ``Answerer``) and plays every dialog turn by turn, each turn with
the history of the product's own earlier answers (their citations included, as the web surfaces
send them). Per question or turn it measures:

- key-fact coverage: share of the expected key facts found in the answer (whitespace-insensitive);
- citation precision: share of the citations of answered answerable questions whose cited passage
  holds one of the evidence texts (same document, containment either way);
- quote grounding: share of all citations whose quote is a verbatim span of its document;
- numbers check: share of answers whose every figure is printed in a cited passage;
- refusal accuracy: questions the documents do not answer (``expect: refuse``) refused, and
  false refusals: answerable questions refused or declined;
- out of scope declined: requests to decline (``expect: decline``) declined, quoting no article;
- follow-up facts: key-fact coverage on the dialog turns after the first;
- latency p50/p95 of ``ask`` (warm: one question is asked first).

Kinds come from each record's ``type`` (colloquial, english, document_facts, near_miss,
out_of_scope, follow_up …); the result has every measure per kind as well as in total. Question
sets of the earlier schema (``answerable`` without ``expect``) are read too.
It does not judge wording; a human reads the sample answers it prints.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from assistant.answering.citations import unsupported_numbers
from assistant.types import Answer, Passage


def _norm(s: str) -> str:
    return "".join(s.split())


def load_questions(path: Path | str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def expectation(q: dict) -> str:
    if "expect" in q:
        return q["expect"]
    return "answer" if q.get("answerable", True) else "refuse"


def _doc_texts() -> dict[str, str]:
    from assistant.corpus import load_corpus
    from assistant.settings import Settings

    return {d.meta.id: _norm(d.text) for d in load_corpus(Settings().corpus_dir)}


def holds_evidence(doc_id: str, passage_text: str, evidence: list[dict], min_inside: int = 8) -> bool:
    """Whether a cited text holds one of the evidence texts of ``doc_id``, or (when at least
    ``min_inside`` characters long) lies inside one; whitespace aside."""
    pt = _norm(passage_text)
    for ev in evidence:
        if ev.get("doc_id") != doc_id:
            continue
        et = _norm(ev.get("text", ""))
        if et and (et in pt or (len(pt) >= min_inside and pt in et)):
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


def history_entry(answer: Answer) -> dict:
    """The assistant's message as every web surface sends it back (``Answer.history_entry``)."""
    return answer.history_entry()


class _Tally:
    def __init__(self):
        self.c = defaultdict(int)

    def add(self, key: str, n: int = 1):
        self.c[key] += n

    def ratio(self, a: str, b: str) -> float | None:
        return round(self.c[a] / self.c[b], 4) if self.c[b] else None

    def summary(self) -> dict:
        return {
            "questions": self.c["questions"],
            "key_fact_coverage": self.ratio("facts_found", "facts"),
            "questions_with_all_facts": self.ratio("all_facts", "answerable"),
            "citation_precision": self.ratio("cit_ok", "cit"),
            "quote_grounding": self.ratio("quotes_ok", "quotes"),
            "numbers_check": self.ratio("num_ok", "num"),
            "refusal_accuracy": self.ratio("refused_ok", "to_refuse"),
            "false_refusal_rate": self.ratio("false_refusals", "answerable"),
            "out_of_scope_declined": self.ratio("declined_ok", "to_decline"),
        }


def score(q: dict, a: Answer, docs: dict[str, str], tallies: list[_Tally]) -> list[str]:
    """Score one answer against its record into every tally; the problems found."""
    problems: list[str] = []
    expect = expectation(q)
    text = _norm(a.text)

    def add(key, n=1):
        for t in tallies:
            t.add(key, n)

    add("questions")
    if expect == "answer":
        add("answerable")
        if a.refused or a.declined:
            add("false_refusals")
            problems.append("false refusal" if not a.declined else "declined an answerable question")
        facts = q.get("key_facts", [])
        missing = [f for f in facts if _norm(f) not in text]
        add("facts", len(facts))
        add("facts_found", len(facts) - len(missing))
        add("all_facts", int(not missing))
        if missing:
            problems.append(f"missing facts {missing}")
        if not a.refused:
            for c in a.citations:
                add("cit")
                if holds_evidence(c.doc_id, c.text, q.get("evidence", [])):
                    add("cit_ok")
                else:
                    problems.append(f"citation without evidence {c.doc_id} {c.locator}")
    elif expect == "refuse":
        add("to_refuse")
        if a.refused:
            add("refused_ok")
        else:
            problems.append("answered an unanswerable question")
    elif expect == "decline":
        add("to_decline")
        if a.declined and not a.citations:
            add("declined_ok")
        else:
            problems.append("did not decline")
    for c in a.citations:
        add("quotes")
        if _norm(c.quote) and _norm(c.quote) in docs.get(c.doc_id, ""):
            add("quotes_ok")
        else:
            problems.append(f"quote not in document {c.doc_id}: {c.quote[:30]}")
    add("num")
    if _numbers_ok(a):
        add("num_ok")
    else:
        problems.append("number not in a cited passage")
    return problems


def run_answer_eval(questions_path: Path | str | None, answerer, doc_texts: dict[str, str] | None = None,
                    dialogs_path: Path | str | None = None) -> dict:
    questions = load_questions(questions_path) if questions_path else []
    dialogs = load_questions(dialogs_path) if dialogs_path else []
    docs = doc_texts if doc_texts is not None else _doc_texts()
    warm = questions[0]["question"] if questions else (dialogs[0]["turns"][0]["question"] if dialogs else None)
    if warm:
        answerer.ask(warm)  # warm caches and models
    total = _Tally()
    kinds: dict[str, _Tally] = defaultdict(_Tally)
    latencies: list[float] = []
    rows: list[dict] = []

    def one(rid: str, q: dict, history: list | None) -> Answer:
        t0 = time.perf_counter()
        a: Answer = answerer.ask(q["question"], history)
        latencies.append((time.perf_counter() - t0) * 1000)
        kind = q.get("type", "?")
        problems = score(q, a, docs, [total, kinds[kind]])
        rows.append({"id": rid, "question": q["question"], "type": kind, "expect": expectation(q),
                     "refused": a.refused, "declined": a.declined, "backend": a.backend, "problems": problems,
                     "answer": a.text})
        return a

    for q in questions:
        one(q["id"], q, q.get("history"))
    follow = _Tally()
    for d in dialogs:
        history: list[dict] = []
        for i, turn in enumerate(d["turns"]):
            a = one(f"{d['id']}.{i + 1}", turn, list(history) or None)
            if i > 0:
                score(turn, a, docs, [follow])
            history += [{"role": "user", "content": turn["question"]}, history_entry(a)]
    result = total.summary()
    result.update({
        "single_questions": len(questions),
        "dialogs": len(dialogs),
        "follow_up_key_facts": follow.summary()["key_fact_coverage"],
        "latency_ms_p50": round(_percentile(latencies, 0.5), 1),
        "latency_ms_p95": round(_percentile(latencies, 0.95), 1),
        "by_kind": {k: v.summary() for k, v in sorted(kinds.items())},
        "rows": rows,
    })
    return result


TARGETS = {
    "key_fact_coverage": (">=", 0.85),
    "citation_precision": (">=", 0.85),
    "quote_grounding": (">=", 1.0),
    "numbers_check": (">=", 1.0),
    "refusal_accuracy": (">=", 0.85),
    "false_refusal_rate": ("<=", 0.05),
    "follow_up_key_facts": (">=", 0.80),
    "out_of_scope_declined": (">=", 0.90),
    "latency_ms_p50": ("<", 100.0),
}
_COLUMNS = ("key_fact_coverage", "citation_precision", "refusal_accuracy", "false_refusal_rate", "out_of_scope_declined")


def format_answer_eval(result: dict, show_failures: int = 40) -> str:
    lines = [f"Answer evaluation: {result['single_questions']} questions, {result['dialogs']} dialogs "
             f"({result['questions']} answers scored)", ""]
    for key, (op, target) in TARGETS.items():
        v = result.get(key)
        if v is None:
            lines.append(f"  {key:<26} {'n/a':>8}   target {op} {target}")
            continue
        ok = v >= target if op == ">=" else v <= target if op == "<=" else v < target
        lines.append(f"  {key:<26} {v!s:>8}   target {op} {target}   {'ok' if ok else 'MISS'}")
    lines.append(f"  {'questions_with_all_facts':<26} {result.get('questions_with_all_facts')!s:>8}")
    lines.append(f"  {'latency_ms_p95':<26} {result.get('latency_ms_p95')!s:>8}")
    lines += ["", "By kind:", f"  {'kind':<16} {'n':>4} " + " ".join(f"{c[:12]:>12}" for c in _COLUMNS)]
    for kind, s in result["by_kind"].items():
        cells = " ".join(f"{('-' if s[c] is None else format(s[c], '.3f')):>12}" for c in _COLUMNS)
        lines.append(f"  {kind:<16} {s['questions']:>4} {cells}")
    bad = [r for r in result["rows"] if r["problems"]]
    if bad:
        lines += ["", f"Questions with problems ({len(bad)}):"]
        for r in bad[:show_failures]:
            lines.append(f"  {r['id']} [{r['type']}] {r['question']}")
            for p in r["problems"]:
                lines.append(f"      - {p}")
    return "\n".join(lines)
