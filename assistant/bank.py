"""The question bank: for each passage of the documents, the questions it answers, the way
applicants ask them, each bound to the verbatim span that answers it.

Files under ``corpus/bank/`` (JSON Lines, one entry a line; see corpus/bank/README.md):

- passage entries (``kind: "passage"``): ``doc_id``, ``locator``, ``span`` (verbatim under the
  locator), ``answer`` (the core of the answer, verbatim inside the span), ``asks`` (figure,
  duration, date, body, list, yesno, definition, purpose, procedure, other) and ``questions``;
  or, with ``answered: false``, questions the documents do not answer, what is ``missing``, a
  ``note`` saying what they do say, and optionally the nearest ``span``;
- document facts (``kind: "document_fact"``): questions about a document itself (文号, date,
  issuers, basis, what it replaces, status), answered from the catalog (``printed``);
- scope (``kind: "scope"``): requests the assistant declines (reveal its instructions, play the
  reviewer, an unrelated task) or greets back; ``scope`` names which.

``QuestionBank.load(corpus_dir, sources)`` validates every entry (a span that is not verbatim under
its locator fails loudly, naming the file and line) and resolves each span to its offsets in the
document. Matching a question against the bank is retrieval's job (``assistant.retrieval``): it
embeds the bank's questions into the index (``ChromaStore.sync_bank``) and ranks entries by the
similarity of the user's question to their questions.

Entries written by hand (``source: written``), generated through an LLM and verified
(``generated``, ``python -m assistant index --generate-questions``) and curated by help-desk staff
(``curated``) are all entries alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.types import FactField

Asks = Literal["figure", "duration", "date", "body", "list", "yesno", "definition", "purpose", "procedure", "other"]
ASKS: tuple[str, ...] = Asks.__args__  # type: ignore[attr-defined]
Style = Literal["formal", "plain", "colloquial", "english"]
Scope = Literal["instructions", "roleplay", "off_topic", "greeting"]


class BankQuestion(BaseModel):
    q: str = Field(min_length=2, max_length=300)
    style: Style


class BankEntry(BaseModel):
    id: str = Field(min_length=1, max_length=80)
    kind: Literal["passage", "document_fact", "scope"] = "passage"
    doc_id: str | None = None
    locator: str | None = None
    answered: bool = True
    span: str | None = None
    answer: str | None = None
    asks: Asks | None = None
    missing: Asks | None = None
    note: str | None = None
    field: FactField | None = Field(default=None, description="For document facts: which fact.")
    scope: Scope | None = None
    source: Literal["written", "generated", "curated"] = "written"
    questions: list[BankQuestion] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> BankEntry:
        if self.kind == "passage":
            if not self.doc_id or not self.locator:
                raise ValueError("a passage entry needs doc_id and locator")
            if self.answered and not (self.span and self.answer and self.asks):
                raise ValueError("an answered passage entry needs span, answer and asks")
            if not self.answered and not (self.missing and self.note):
                raise ValueError("a not-answered entry needs missing and note")
            if self.answered and _squash(self.answer) not in _squash(self.span):
                raise ValueError(f"answer {self.answer[:30]!r} is not inside its span")
        elif self.kind == "document_fact":
            if not self.doc_id or not self.field:
                raise ValueError("a document-fact entry needs doc_id and field")
        elif self.kind == "scope" and not self.scope:
            raise ValueError("a scope entry needs scope")
        return self


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def question_key(text: str) -> str:
    """A question as compared for duplicates and leaks: no spaces or punctuation, lower case."""
    return re.sub(r"[\W_]+", "", text.lower())


def trigrams(key: str) -> set[str]:
    return {key[i:i + 3] for i in range(len(key) - 2)} or {key}


def near_copy(a: str, b: str) -> bool:
    """The same question, or a near copy: equal once spaces and punctuation go, 70 % of their
    character trigrams shared, or one holding the other whole (at least ten characters)."""
    ka, kb = question_key(a), question_key(b)
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    if len(short) >= 10 and short in long_:
        return True
    ga, gb = trigrams(ka), trigrams(kb)
    return len(ga & gb) / len(ga | gb) >= 0.7


@dataclass
class Entry:
    """A validated entry with its span resolved: ``start``/``end`` are offsets into the cleaned
    document text (the span is ``doc_text[start:end]``)."""

    data: BankEntry
    file: str
    start: int = -1
    end: int = -1
    answer_start: int = -1
    answer_end: int = -1
    span_doc: str | None = None  # the document whose text holds the span (a fact may be printed in another)
    printed: bool = True  # a document fact the catalog says is printed somewhere

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def kind(self) -> str:
        return self.data.kind

    @property
    def answered(self) -> bool:
        """Whether the documents answer the entry's questions: a document fact only when printed."""
        return self.data.answered and self.printed

    @property
    def quotable(self) -> bool:
        """An answered entry bound to a span of a document (a passage, or a printed fact)."""
        return self.answered and self.start >= 0 and self.data.kind in ("passage", "document_fact")


@dataclass(frozen=True)
class BankRow:
    """One question of the bank, as embedded: ``id`` derives from the entry and the text."""

    id: str
    entry: str
    text: str
    style: str


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """(start, end) of ``needle`` in ``haystack`` ignoring whitespace, as offsets into ``haystack``."""
    idx = [i for i, ch in enumerate(haystack) if not ch.isspace()]
    flat = "".join(haystack[i] for i in idx)
    n = _squash(needle)
    if not n:
        return None
    pos = flat.find(n)
    if pos < 0:
        return None
    return idx[pos], idx[pos + len(n) - 1] + 1


class BankError(ValueError):
    pass


@dataclass
class QuestionBank:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # entries left out of a non-strict load, and why

    @classmethod
    def load(cls, bank_dir: Path, sources=None, strict: bool = True, catalog=None,
             extra_files: Iterable[Path] = ()) -> QuestionBank:
        """Every entry of ``bank_dir/*.jsonl``. With ``sources`` (``assistant.corpus.sources.Sources``)
        each span is checked verbatim under its locator and resolved to document offsets; a bad
        entry raises ``BankError`` (``strict``) or is skipped. Entries of documents the corpus does
        not hold are left out (tests/test_bank.py checks that the real bank names only real ones).
        ``extra_files``: more bank files kept elsewhere (the curated answers, with the app's data)."""
        bank = cls()
        errors: list[str] = []
        seen: dict[str, str] = {}
        paths = sorted(Path(bank_dir).glob("*.jsonl")) if Path(bank_dir).is_dir() else []
        paths += [Path(p) for p in extra_files if Path(p).is_file()]
        for path in paths:
            for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                where = f"{path.name}:{ln}"
                try:
                    data = BankEntry.model_validate_json(line)
                except ValidationError as exc:
                    errors.append(f"{where}: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})")
                    continue
                if data.id in seen:
                    errors.append(f"{where}: id {data.id!r} already used in {seen[data.id]}")
                    continue
                entry = Entry(data, path.name)
                if sources is not None and data.doc_id is not None and data.doc_id not in sources.docs:
                    continue  # an entry of a document this corpus does not hold (a corpus of some documents)
                problem = bank._resolve(entry, sources, catalog) if sources is not None else None
                if problem:
                    errors.append(f"{where} ({data.id}): {problem}")
                    continue
                seen[data.id] = where
                bank.entries.append(entry)
        bank.problems = errors
        if errors and strict:
            raise BankError("question bank: " + "; ".join(errors[:10]) + (f" … ({len(errors)} problems)" if len(errors) > 10 else ""))
        return bank

    @staticmethod
    def _resolve(entry: Entry, sources, catalog=None) -> str | None:
        d = entry.data
        entry.span_doc = d.doc_id
        if d.kind == "passage":
            section = sources.section(d.doc_id, d.locator)
            if section is None:
                return f"no section {d.locator!r} in {d.doc_id}"
            if d.span:
                span = find_span(section.text, d.span)
                if span is None:
                    return f"span not verbatim under {d.locator}: {d.span[:30]!r}"
                entry.start, entry.end = section.start + span[0], section.start + span[1]
                if d.answer:
                    a = find_span(section.text[span[0]:span[1]], d.answer)
                    if a is None:
                        return "answer not inside the span"
                    entry.answer_start, entry.answer_end = entry.start + a[0], entry.start + a[1]
        elif d.kind == "document_fact":
            if d.doc_id not in sources.docs:
                return f"unknown document {d.doc_id!r}"
            meta = catalog.by_id.get(d.doc_id) if catalog is not None else None
            printed = (meta.printed.get(d.field) or []) if meta is not None else []
            entry.printed = bool(printed) or d.field == "status"  # a status is always in the catalog
            if printed:
                pr = printed[0]
                entry.span_doc = pr.doc_id or d.doc_id
                section = sources.section(entry.span_doc, pr.locator)
                span = find_span(section.text, pr.span) if section is not None else None
                if span is None:
                    return f"the catalog's printed {d.field} of {d.doc_id} is not under {pr.locator}"
                entry.start, entry.end = section.start + span[0], section.start + span[1]
                entry.answer_start, entry.answer_end = entry.start, entry.end
        return None

    # -- views ---------------------------------------------------------------------------------
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def rows(self) -> list[BankRow]:
        """Every question of the bank, once (a question written twice keeps its first entry)."""
        out: list[BankRow] = []
        seen: set[str] = set()
        for e in self.entries:
            for q in e.data.questions:
                key = question_key(q.q)
                if key in seen or not key:
                    continue
                seen.add(key)
                rid = hashlib.sha1(f"{e.id}\x1f{q.q}".encode()).hexdigest()[:20]
                out.append(BankRow(rid, e.id, q.q, q.style))
        return out

    def questions(self) -> Iterable[tuple[Entry, BankQuestion]]:
        for e in self.entries:
            for q in e.data.questions:
                yield e, q


def write_entries(path: Path, entries: Iterable[BankEntry]) -> None:
    """Append entries to a bank file (one JSON object a line)."""
    with Path(path).open("a", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e.model_dump(exclude_defaults=True), ensure_ascii=False) + "\n")
