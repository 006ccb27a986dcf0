"""Curated answers: help-desk corrections that join the question bank.

They are kept with the app's data (``Settings.curated_path``, by default ``data/curated.jsonl``),
apart from the shipped bank under corpus/bank/, in the bank's own format (entries with
``source: "curated"``, see corpus/bank/README.md); ``assistant.indexing.load_bank`` reads both.

From a thumbs-down or any logged question, staff bind the question to the span of a document
that answers it (an ``answered`` passage entry: span verbatim under its locator, the core answer
inside it), or mark it as not answered by the documents (``missing`` and a ``note`` saying what
they do say and whom to ask). The entry is checked exactly as the bank's own entries are
(``assistant.bank``): a span not verbatim under its locator is refused with nothing written.
Saved, it is embedded into the bank's collection and taken up by the serving processes
(``assistant.live``), so a paraphrase of its question is answered from its span from then on,
quoted with its citation like any answer.

When a document changes so that an entry's span is no longer in it, the bank leaves the entry out
(never served stale) and ``flagged()`` lists it for review. ``Curator.export_text`` and
``Curator.import_lines`` move entries as JSON lines (the bank's own format); an import is checked
whole and refused whole.

Hit counts: an answer that quotes a curated entry's span counts one hit for the entry
(``HitCounts``, an SQLite file beside the curated answers, shared by every worker process).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from assistant.bank import BankEntry, Entry, QuestionBank, question_key
from assistant.corpus import load_corpus
from assistant.corpus.sources import Sources
from assistant.knowledge import Knowledge
from assistant.language import detect_language
from assistant.library import Library, LibraryError, write_atomic

def entry_id(question: str) -> str:
    return "cur-" + hashlib.sha1(question_key(question).encode()).hexdigest()[:10]


class Curator:
    def __init__(self, corpus_dir: Path, path: Path):
        self.dir = Path(corpus_dir)
        self.library = Library(corpus_dir)
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings) -> Curator:
        return cls(settings.corpus_dir, settings.curated_path)

    def _bank(self, sources: Sources, catalog) -> QuestionBank:
        return QuestionBank.load(self.dir / "bank", sources, strict=False, catalog=catalog, extra_files=[self.path])

    # -- reading -------------------------------------------------------------------------------
    def entries(self) -> list[BankEntry]:
        if not self.path.exists():
            return []
        return [BankEntry.model_validate_json(x) for x in self.path.read_text(encoding="utf-8").splitlines() if x.strip()]

    def flagged(self) -> list[tuple[str, str]]:
        """(entry id, why) of the curated entries the bank leaves out: their span or section is no
        longer in their document (it changed or was removed), so they are not served."""
        docs = load_corpus(self.dir)
        bank = self._bank(Sources(docs), Knowledge.load(self.dir).catalog)
        kept = {e.id for e in bank.entries}
        known = {d.meta.id for d in docs}
        out = []
        for e in self.entries():
            if e.id in kept:
                continue
            why = next((p.split(": ", 1)[-1] for p in bank.problems if f"({e.id})" in p), None)
            out.append((e.id, why or (f"document {e.doc_id} is no longer in the corpus" if e.doc_id not in known
                                      else "left out of the bank")))
        return out

    # -- writing -------------------------------------------------------------------------------
    def answered(self, question: str, doc_id: str, locator: str, span: str, *, answer: str | None = None,
                 asks: str = "other", more_questions: list[str] | None = None, by: str | None = None) -> BankEntry:
        """Bind ``question`` (and its paraphrases) to ``span`` under ``locator`` of ``doc_id``."""
        return self._save(dict(doc_id=doc_id, locator=locator, span=span.strip(), answer=(answer or span).strip(),
                               asks=asks), question, more_questions, by)

    def unanswered(self, question: str, doc_id: str, locator: str, missing: str, note: str, *,
                   span: str | None = None, more_questions: list[str] | None = None,
                   by: str | None = None) -> BankEntry:
        """Record that the documents do not answer ``question``: what is missing and whom to ask."""
        return self._save(dict(doc_id=doc_id, locator=locator, answered=False, missing=missing, note=note.strip(),
                               span=(span or "").strip() or None), question, more_questions, by)

    def _save(self, fields: dict, question: str, more: list[str] | None, by: str | None) -> BankEntry:
        qs = [q.strip() for q in [question, *(more or [])] if q and q.strip()]
        entry = self._entry({**fields, "id": entry_id(question), "source": "curated",
                             "questions": [{"q": q, "style": "english" if detect_language(q) == "en" else "plain"}
                                           for q in dict.fromkeys(qs)]})
        with self.library.lock():
            self._check([entry])
            others = [e for e in self.entries() if e.id != entry.id]
            self._write([*others, entry])
            self.library.record("curate", by, entry_id=entry.id, question=question, doc_id=entry.doc_id,
                                locator=entry.locator, answered=entry.answered)
        return entry

    def remove(self, entry_id: str, by: str | None = None) -> None:
        with self.library.lock():
            entries = self.entries()
            if not any(e.id == entry_id for e in entries):
                raise LibraryError(f"No curated entry {entry_id!r}. 未找到该条校正答案。")
            self._write([e for e in entries if e.id != entry_id])
            self.library.record("uncurate", by, entry_id=entry_id)

    def import_lines(self, text: str, by: str | None = None) -> list[str]:
        """Add (or replace, by id) the entries of JSON lines; all are checked before any is written."""
        new: list[BankEntry] = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as e:
                    raise LibraryError(f"line {n}: not JSON ({e.msg}); nothing was imported.") from None
                new.append(self._entry({**data, "source": "curated"}, where=f"line {n}: "))
        if not new:
            raise LibraryError("No entries in the file; nothing was imported.")
        with self.library.lock():
            self._check(new)
            ids = {e.id for e in new}
            self._write([*(e for e in self.entries() if e.id not in ids), *new])
            self.library.record("import", by, entries=len(new))
        return [e.id for e in new]

    def _entry(self, data: dict, where: str = "") -> BankEntry:
        try:
            entry = BankEntry.model_validate(data)
        except ValidationError as e:
            err = e.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise LibraryError(f"{where}{field + ': ' if field else ''}{err['msg']}; nothing was saved.") from None
        if entry.kind != "passage":
            raise LibraryError(f"{where}curated entries are passage entries; nothing was saved.")
        return entry

    def _check(self, entries: list[BankEntry]) -> None:
        """Each entry as the bank loads it: its document, its section, its span verbatim under it."""
        docs = load_corpus(self.dir)
        sources = Sources(docs)
        catalog = Knowledge.load(self.dir).catalog
        taken = {e.id for e in QuestionBank.load(self.dir / "bank", sources, strict=False, catalog=catalog).entries}
        for e in entries:
            if e.doc_id not in sources.docs:
                raise LibraryError(f"Unknown document {e.doc_id!r}; nothing was saved. 未找到文件。")
            if e.id in taken:
                raise LibraryError(f"The id {e.id!r} is taken by an entry written with the documents; nothing was saved.")
            problem = QuestionBank._resolve(Entry(e, self.path.name), sources, catalog)
            if problem:
                raise LibraryError(f"{e.id}: {problem}; nothing was saved. 所选原文不在该条款中，未保存。")

    def _write(self, entries: list[BankEntry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, "".join(json.dumps(e.model_dump(exclude_defaults=True), ensure_ascii=False) + "\n"
                                        for e in entries))


    def export_text(self, curated_only: bool = True) -> str:
        """The curated entries (or every entry of the bank, shipped ones first) as JSON lines."""
        files = ([] if curated_only else sorted((self.dir / "bank").glob("*.jsonl"))) + [self.path]
        lines = [x for f in files if f.exists() for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        return "".join(x + "\n" for x in lines)


class HitCounts:
    """How often each curated entry answered a question: entry id -> hits, last hit time. One
    SQLite file beside the curated answers, written by every serving process."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS hits (entry TEXT PRIMARY KEY, n INTEGER NOT NULL, last REAL)")

    @classmethod
    def from_settings(cls, settings) -> HitCounts:
        return cls(settings.curated_path.with_name(settings.curated_path.stem + "-hits.sqlite"))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def hit(self, entry_ids: Iterable[str]) -> None:
        now = time.time()
        db = self._connect()
        try:
            for e in dict.fromkeys(entry_ids):
                db.execute("INSERT INTO hits VALUES (?, 1, ?) ON CONFLICT(entry) DO UPDATE SET n = n + 1, last = ?",
                           (e, now, now))
        finally:
            db.close()

    def counts(self) -> dict[str, int]:
        db = self._connect()
        try:
            return dict(db.execute("SELECT entry, n FROM hits").fetchall())
        finally:
            db.close()


def served_entries(answer, bank: QuestionBank, docs: dict) -> list[str]:
    """Ids of the curated entries an answer quotes: a citation of the entry's document and locator
    (or an article holding it) whose quoted words overlap the entry's span."""
    out = []
    for e in bank.entries:
        if e.data.source != "curated" or e.start < 0:
            continue
        text = docs[e.data.doc_id].text[e.start:e.end] if e.data.doc_id in docs else ""
        for c in answer.citations:
            if c.doc_id != e.data.doc_id:
                continue
            quote = "".join((c.quote or "").split())
            span = "".join(text.split())
            if quote and span and (quote in span or span in quote or (len(quote) > 8 and quote[:8] in span)):
                out.append(e.id)
                break
    return out
