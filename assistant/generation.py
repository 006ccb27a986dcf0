"""Bank questions generated through a chat model, each kept only when its span is verbatim.

``python -m assistant index --generate-questions`` (with ``QSL_ANSWER__BASE_URL`` naming an
OpenAI-compatible endpoint) asks the model, for every lowest section of the documents, for the
questions that section answers the way applicants ask them, each with the exact words that answer
it (prompts/generate_questions.<lang>.md; the model answers in JSON lines). A question is kept only
when:

- its ``span`` is in the section's text verbatim (spaces aside) — the span that is written is the
  document's own text, never the model's copy of it;
- it is not already a bank question, and not a near copy of an evaluation question (eval/*.jsonl:
  a measurement must not be answered from a copy of itself);
- its kind (``asks``) and style are among the bank's; anything else is dropped and counted.

Kept questions become entries with ``source: "generated"`` in ``corpus/bank/generated.jsonl``
(one per section, ids ``gen-<doc>-<hash of locator>``), which ``QuestionBank.load`` validates like
every other entry; a later run replaces the entries of the sections it generates for. The model
is not trusted for anything it writes: a reply that is not JSON, a span that is not in the text,
or a model that is down costs that section its questions and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.bank import ASKS, BankEntry, QuestionBank, find_span, near_copy, question_key
from assistant.types import ParsedDocument, Section

log = logging.getLogger(__name__)

GENERATED_FILE = "generated.jsonl"
_STYLES = ("formal", "plain", "colloquial", "english")
_JSON_OBJECT = re.compile(r"\{[^{}]*\}")
_MIN_CHARS = 12  # a section shorter than this (a bare heading) answers nothing


@dataclass
class GenerationReport:
    sections: int = 0
    asked: int = 0  # sections the model was asked about
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # why a proposed question was left out
    failed: int = 0  # sections whose call failed
    path: Path | None = None

    def drop(self, why: str) -> None:
        self.dropped[why] = self.dropped.get(why, 0) + 1


def leaves(docs: Iterable[ParsedDocument]) -> Iterator[Section]:
    """The lowest sections of the documents (an article without items is its own leaf)."""
    def walk(node: Section) -> Iterator[Section]:
        if not node.children and node.kind != "document":
            yield node
        for c in node.children:
            yield from walk(c)

    for d in docs:
        yield from walk(d.root)


def parse_reply(text: str) -> list[dict]:
    """The JSON objects of a reply (one per line, or a JSON list, or objects inside prose)."""
    text = text.strip()
    try:
        data = json.loads(text)
        return [x for x in (data if isinstance(data, list) else [data]) if isinstance(x, dict)]
    except json.JSONDecodeError:
        pass
    out = []
    for m in _JSON_OBJECT.finditer(text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def eval_questions(eval_dir: Path) -> list[str]:
    """Every question of the evaluation sets (single questions and dialog turns)."""
    out: list[str] = []
    for path in sorted(Path(eval_dir).glob("*.jsonl")) if Path(eval_dir).is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row.get("question"), str):
                out.append(row["question"])
            for turn in row.get("turns", []) if isinstance(row.get("turns"), list) else []:
                if isinstance(turn, dict) and isinstance(turn.get("question"), str):
                    out.append(turn["question"])
    return out


def _entry_id(doc_id: str, locator: str) -> str:
    return f"gen-{doc_id}-{hashlib.sha1(locator.encode()).hexdigest()[:10]}"


class QuestionGenerator:
    """Runs the model over sections and keeps what checks out (see module docstring)."""

    def __init__(self, llm, prompts, bank: QuestionBank, avoid: Iterable[str] = (), per_section: int = 4):
        self.llm = llm
        self.prompts = prompts
        self.per_section = per_section
        self.known = {question_key(q.q) for _, q in bank.questions()}
        self.avoid = list(avoid)

    def _near_eval(self, question: str) -> bool:
        return any(near_copy(question, q) for q in self.avoid)

    def for_section(self, node: Section, report: GenerationReport) -> BankEntry | None:
        from langchain_core.messages import HumanMessage, SystemMessage

        system, user = self.prompts.render("generate_questions", "zh", passage=node.text, locator=node.locator,
                                           n=str(self.per_section))
        try:
            reply = self.llm.invoke([SystemMessage(system), HumanMessage(user)])
        except Exception as exc:  # down, timeout, HTTP error: this section gets no questions
            log.warning("question generation failed for %s %s: %s", node.doc_id, node.locator, exc)
            report.failed += 1
            return None
        report.asked += 1
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        kept: list[tuple[str, str, str, str]] = []  # question, style, asks, span (verbatim)
        for obj in parse_reply(content)[: self.per_section * 2]:
            q, span = obj.get("question"), obj.get("span")
            if not isinstance(q, str) or not isinstance(span, str) or not 2 <= len(q.strip()) <= 300:
                report.drop("malformed")
                continue
            q = q.strip()
            found = find_span(node.text, span)
            if not found:
                report.drop("span not verbatim")
                continue
            key = question_key(q)
            if key in self.known or any(question_key(k[0]) == key for k in kept):
                report.drop("already in the bank")
                continue
            if self._near_eval(q):
                report.drop("near copy of an evaluation question")
                continue
            asks = obj.get("asks") if obj.get("asks") in ASKS else "other"
            style = obj.get("style") if obj.get("style") in _STYLES else "plain"
            kept.append((q, style, asks, node.text[found[0]:found[1]]))
        if not kept:
            return None
        # One entry per section: the span every kept question points at, widened to hold them all.
        spans = [find_span(node.text, s) for *_, s in kept]
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        counts: dict[str, int] = {}
        for _, _, a, _ in kept:
            counts[a] = counts.get(a, 0) + 1
        entry = BankEntry(
            id=_entry_id(node.doc_id, node.locator), kind="passage", doc_id=node.doc_id, locator=node.locator,
            span=node.text[start:end], answer=kept[0][3], asks=max(counts, key=counts.get), source="generated",
            questions=[{"q": q, "style": style} for q, style, _, _ in kept],
        )
        for q, *_ in kept:
            self.known.add(question_key(q))
        report.kept += len(kept)
        return entry

    def run(self, docs: Iterable[ParsedDocument], out_path: Path, limit: int | None = None) -> GenerationReport:
        report = GenerationReport(path=out_path)
        entries: dict[str, BankEntry] = {}
        if out_path.is_file():
            for line in out_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    e = BankEntry.model_validate_json(line)
                    entries[e.id] = e
        for node in leaves(docs):
            if len(node.text.strip()) < _MIN_CHARS:
                continue
            if limit is not None and report.sections >= limit:
                break
            report.sections += 1
            entry = self.for_section(node, report)
            if entry is not None:
                entries[entry.id] = entry
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_suffix(".tmp")
        tmp.write_text("".join(e.model_dump_json(exclude_defaults=True) + "\n" for e in entries.values()),
                       encoding="utf-8")
        tmp.replace(out_path)
        return report
