"""The writable corpus: policy documents added, replaced and removed by staff, with a history.

The corpus directory (``Settings.corpus_dir``) is the one source of truth: ``catalog.json``, the
texts under ``raw/``, the question bank under ``bank/`` (curated answers in ``bank/curated.jsonl``,
see ``assistant.curation``), the files as uploaded under ``originals/``, and ``history.jsonl``
(who changed what, when). The index follows it (``assistant.indexing``), and a running server
follows both (``assistant.live``). In a deployment the directory lives with the data
(``QSL_CORPUS_DIR=/srv/qsl/corpus``, a copy of the shipped corpus/).

``Library.draft(data, filename, **facts)`` reads a file (``assistant.ingest``), takes the catalog
facts given, fills the others from the document's own header, cleans and parses the text exactly
as for the seeds, and checks it (a duplicate text, an id or 文号 already taken, an unknown
document to supersede, a missing title or date): a ``LibraryError`` says what is wrong and
nothing is written. ``publish(draft, by)`` writes it; ``remove(doc_id, by)`` takes a document out
with its question-bank entries. A new version (``supersedes``) marks the old one ``superseded``:
kept, shown, not cited by default (``assistant.retrieval``). Every write happens under one file
lock and replaces files atomically, so a crash or a second writer never leaves half a catalog.

Not handled: several machines writing one corpus directory without a shared file system.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from pydantic import ValidationError

from assistant.corpus import load_corpus
from assistant.corpus.cleaning import clean_text
from assistant.corpus.parsing import parse_document, structured
from assistant.corpus.sources import Sources
from assistant.errors import InputError
from assistant.ingest import HeaderFacts, iso_date, kind_of, read_header, read_text
from assistant.knowledge import Catalog
from assistant.types import DocumentMeta, ParsedDocument, Printed

SUPERSEDED = "superseded"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,60}$")
_STATUSES = ("in_force", "draft_for_comment", "reprint", "excerpt")


_BARE = DocumentMeta(id="new", title="", short_title="", date="", status="in_force", kind="", source_file="")


class LibraryError(InputError):
    """A change to the corpus that cannot be made; nothing was written."""


@dataclass
class Draft:
    """A document read and checked, not yet published."""

    meta: DocumentMeta
    raw: str  # the text as read from the file (stored under raw/); cleaned at load time like the seeds'
    doc: ParsedDocument
    original: bytes
    filename: str
    header: HeaderFacts
    warnings: list[str] = field(default_factory=list)


def actor(by: str | None = None) -> str:
    """Who makes a change: the console's signed-in user, or the user running the CLI."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (a reader sees the old file or the new one)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def corpus_stamp(corpus_dir: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime ns, size) of every file the assistant reads from ``corpus_dir``."""
    corpus_dir = Path(corpus_dir)
    out: dict[str, tuple[int, int]] = {}
    for pattern in ("*.json", "raw/*", "bank/*.jsonl"):
        for f in corpus_dir.glob(pattern):
            if f.is_file() and not f.name.startswith("."):
                st = f.stat()
                out[str(f.relative_to(corpus_dir))] = (st.st_mtime_ns, st.st_size)
    return out


class Library:
    def __init__(self, corpus_dir: Path, lock_timeout_s: float = 60.0):
        self.dir = Path(corpus_dir)
        self.lock_timeout_s = lock_timeout_s

    @contextmanager
    def lock(self):
        """The corpus's write lock, shared by every process on this machine (CLI, server workers)."""
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.dir / ".write.lock"), timeout=self.lock_timeout_s):
                yield
        except Timeout:
            raise LibraryError("Another change to the corpus is in progress; try again in a minute. "
                               "另一项修改正在进行，请稍后再试。") from None

    # -- reading -------------------------------------------------------------------------------
    def catalog_data(self) -> dict:
        return json.loads((self.dir / "catalog.json").read_text(encoding="utf-8"))

    def documents(self) -> list[DocumentMeta]:
        return [DocumentMeta.model_validate(d) for d in self.catalog_data()["documents"]]

    def meta(self, doc_id: str) -> DocumentMeta:
        found = next((d for d in self.documents() if d.id == doc_id), None)
        if found is None:
            known = ", ".join(d.id for d in self.documents())
            raise LibraryError(f"Unknown document {doc_id!r}; the corpus holds: {known}. 未找到文件 {doc_id}。")
        return found

    def history(self, limit: int = 200) -> list[dict]:
        """The latest changes, newest first."""
        path = self.dir / "history.jsonl"
        if not path.exists():
            return []
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        return rows[::-1][:limit]

    def record(self, action: str, by: str | None, **detail) -> None:
        row = {"ts": round(time.time(), 3), "time": time.strftime("%Y-%m-%d %H:%M:%S"), "by": actor(by),
               "action": action, **detail}
        with (self.dir / "history.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    # -- adding --------------------------------------------------------------------------------
    def draft(self, data: bytes, filename: str, *, doc_id: str | None = None, title: str | None = None,
              short_title: str | None = None, title_en: str | None = None, issuers: list[str] | None = None,
              number: str | None = None, date: str | None = None, status: str | None = None,
              kind: str | None = None, region: list[str] | None = None, aliases: list[str] | None = None,
              supersedes: str | None = None, authority_rank: int | None = None,
              source_note: str | None = None) -> Draft:
        """Read and check a document; the facts given win over those read from its header."""
        raw = read_text(data, filename)
        header = read_header(raw)
        # the same file again: its text, cleaned as a new document's is, is already a document's
        plain = _squash(clean_text(raw, _BARE))
        same = next((d.meta for d in load_corpus(self.dir) if _squash(d.text) == plain), None)
        if same is not None:
            raise LibraryError(f"{filename}: the same text is already in the corpus as {same.id} "
                               f"({same.short_title}); nothing was changed. 该文件已在库中，未作修改。")
        title = (title or header.title or "").strip().strip("《》")
        if not title:
            raise LibraryError(f"{filename}: no title found in the document; give one (--title). "
                               "未能从文件中识别标题，请填写标题。")
        day = _date(date) if date else header.date
        if not day:
            raise LibraryError(f"{filename}: no date found in the document; give one (--date YYYY-MM-DD). "
                               "未能从文件中识别发文日期，请填写日期。")
        status = status or ("draft_for_comment" if header.draft else "in_force")
        if status not in _STATUSES:
            raise LibraryError(f"Unknown status {status!r}; one of {', '.join(_STATUSES)}.")
        docs = self.documents()
        by_id = {d.id: d for d in docs}
        old = None
        if supersedes:
            old = by_id.get(supersedes)
            if old is None:
                raise LibraryError(f"Unknown document {supersedes!r} to supersede; the corpus holds: "
                                   f"{', '.join(by_id)}. 要替代的文件不存在。")
            if old.status == SUPERSEDED:
                raise LibraryError(f"{supersedes} is already superseded by {self._superseder(docs, supersedes)}; "
                                   "supersede the current version instead. 该文件已被替代。")
        text_hash = hashlib.sha256(_squash(raw).encode()).hexdigest()
        doc_id = doc_id or f"doc-{day[:4]}-{text_hash[:6]}"
        if not _ID.match(doc_id):
            raise LibraryError(f"Invalid document id {doc_id!r}: lower-case letters, digits and '-', 3 to 61 "
                               "characters.")
        if doc_id in by_id:
            raise LibraryError(f"The id {doc_id!r} is already in the corpus ({by_id[doc_id].short_title}). "
                               "文件编号已存在。")
        number = number or header.number
        if number:
            same = next((d for d in docs if d.number == number and d.status != SUPERSEDED and d.id != supersedes), None)
            if same is not None:
                raise LibraryError(f"The document number {number} is already in the corpus as {same.id} "
                                   f"({same.short_title}); to add a new version give --supersedes {same.id}. "
                                   "该文号的文件已存在。")
        rank = authority_rank if authority_rank is not None else (old.authority_rank if old else 5)
        try:
            meta = DocumentMeta(
                id=doc_id, title=title, short_title=short_title or f"《{title}》", title_en=title_en or "",
                issuers=issuers if issuers is not None else header.issuers, number=number, date=day,
                status=status, kind=kind or kind_of(title) or header.kind or "政策文件", authority_rank=rank,
                source_file=f"{doc_id}.txt", source_note=source_note or f"由 {PurePath(filename).name} 导入。",
                supersedes=[supersedes] if supersedes else [], aliases=aliases or [], region=region or [],
            )
        except ValidationError as e:
            raise LibraryError(f"Invalid catalog facts: {e.errors()[0]['loc'][0]}: {e.errors()[0]['msg']}") from None
        doc = parse_document(meta, clean_text(raw, meta))
        meta = meta.model_copy(update={"printed": _printed(doc, header)})
        doc = doc.model_copy(update={"meta": meta})
        warnings = []
        if not structured(doc):
            warnings.append("No headings (章/条/一、/（一）…) were recognised: the text is indexed and cited by "
                            "paragraph (第N段). 未识别出章节条款结构，将按段落索引和引用。")
        missing = [w for w, v in (("文号 (--number)", number), ("issuing bodies (--issuer)", meta.issuers)) if not v]
        if missing:
            warnings.append("Not found in the document and not given: " + ", ".join(missing) + ".")
        return Draft(meta, raw, doc, data, PurePath(filename).name, header, warnings)

    @staticmethod
    def _superseder(docs: list[DocumentMeta], doc_id: str) -> str | None:
        return next((d.id for d in docs if doc_id in d.supersedes and d.status != SUPERSEDED), None)

    def publish(self, draft: Draft, by: str | None = None) -> DocumentMeta:
        """Write a checked draft into the corpus (and mark the version it supersedes)."""
        meta = draft.meta
        with self.lock():
            data = self.catalog_data()
            if any(d["id"] == meta.id for d in data["documents"]):
                raise LibraryError(f"The id {meta.id!r} was taken meanwhile; nothing was changed.")
            for d in load_corpus(self.dir):
                if _squash(d.text) == _squash(draft.doc.text):
                    raise LibraryError(f"The same text was added meanwhile as {d.meta.id}; nothing was changed.")
            (self.dir / "raw").mkdir(exist_ok=True)
            (self.dir / "originals").mkdir(exist_ok=True)
            write_atomic(self.dir / "raw" / meta.source_file, draft.raw)
            (self.dir / "originals" / f"{meta.id}{PurePath(draft.filename).suffix.lower()}").write_bytes(draft.original)
            entry = meta.model_dump(mode="json", exclude_defaults=True)
            entry.update({"id": meta.id, "date": meta.date, "status": meta.status})
            old_id = meta.supersedes[0] if meta.supersedes else None
            for d in data["documents"]:
                if d["id"] == old_id:
                    d["status_before"] = d["status"]
                    d["status"] = SUPERSEDED
                    if not entry.get("aliases") and d.get("aliases"):
                        # the names users call the text by now name the new version; the old one
                        # is still named by its own generic words (2023年 …)
                        entry["aliases"] = d.pop("aliases")
                    entry.setdefault("region", d.get("region", []))
            ref = data.get("referral", {})
            if old_id and ref.get("doc_id") == old_id:
                node = Sources([draft.doc]).section(meta.id, ref["locator"])
                if node is not None and ref.get("anchor", "") in node.text:
                    ref["doc_id"] = meta.id  # who to ask is now quoted from the new version
            data["documents"].append(entry)
            self._write_catalog(data)
            self.record("supersede" if old_id else "add", by, doc_id=meta.id, title=meta.short_title,
                        supersedes=old_id, file=draft.filename, status=meta.status)
        return meta

    def _write_catalog(self, data: dict) -> None:
        try:
            Catalog.model_validate(data)
        except ValidationError as e:
            raise LibraryError(f"The catalog would not be valid: {e.errors()[0]['msg']}; nothing was changed.") from None
        write_atomic(self.dir / "catalog.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    # -- removing ------------------------------------------------------------------------------
    def remove(self, doc_id: str, by: str | None = None) -> DocumentMeta:
        """Take a document out of the corpus: its catalog entry, its text (kept under archive/) and
        its question-bank entries. The version it had superseded becomes current again."""
        with self.lock():
            meta = self.meta(doc_id)
            data = self.catalog_data()
            if data.get("referral", {}).get("doc_id") == doc_id:
                raise LibraryError(f"{doc_id} holds the pointer to who answers what the documents leave open "
                                   "(catalog referral); it cannot be removed. 该文件用于指引咨询单位，不能删除。")
            docs = []
            for d in data["documents"]:
                if d["id"] == doc_id:
                    continue
                if doc_id in d.get("supersedes", []):
                    d["supersedes"] = [x for x in d["supersedes"] if x != doc_id]
                if d["id"] in meta.supersedes and d.get("status") == SUPERSEDED:
                    d["status"] = d.pop("status_before", "in_force")
                    if not d.get("aliases") and meta.aliases:
                        d["aliases"] = list(meta.aliases)  # the names it had passed to the removed version
                for fact, where in list(d.get("printed", {}).items()):
                    d["printed"][fact] = [p for p in where if p.get("doc_id") != doc_id]
                    if not d["printed"][fact]:
                        del d["printed"][fact]
                docs.append(d)
            data["documents"] = docs
            archive = self.dir / "archive" / f"{doc_id}-{time.strftime('%Y%m%d%H%M%S')}"
            archive.mkdir(parents=True, exist_ok=True)
            (archive / "catalog-entry.json").write_text(json.dumps(meta.model_dump(mode="json"), ensure_ascii=False,
                                                                   indent=2), encoding="utf-8")
            self._write_catalog(data)
            for f in [self.dir / "raw" / meta.source_file, *(self.dir / "originals").glob(f"{doc_id}.*")]:
                if f.exists():
                    shutil.move(str(f), archive / f.name)
            removed = self._drop_bank_entries(doc_id, archive)
            self.record("remove", by, doc_id=doc_id, title=meta.short_title, bank_entries=removed)
        return meta

    def _drop_bank_entries(self, doc_id: str, archive: Path) -> int:
        n = 0
        for path in sorted((self.dir / "bank").glob("*.jsonl")):
            lines = path.read_text(encoding="utf-8").splitlines()
            keep = [x for x in lines if not x.strip() or json.loads(x).get("doc_id") != doc_id]
            if len(keep) == len(lines):
                continue
            n += len(lines) - len(keep)
            shutil.copy2(path, archive / path.name)
            if any(x.strip() for x in keep):
                write_atomic(path, "\n".join(keep) + "\n")
            else:
                path.unlink()
        return n


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _date(text: str) -> str:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        return text
    day = iso_date(text)
    if not day:
        raise LibraryError(f"Invalid date {text!r}: give YYYY-MM-DD (or 2024年3月5日). 日期格式无效。")
    return day


def _printed(doc: ParsedDocument, header: HeaderFacts) -> dict[str, list[Printed]]:
    """Where the header's facts are printed in the parsed text (the section holding each span)."""
    sources = Sources([doc])
    out: dict[str, list[Printed]] = {}
    for fact, span in header.spans.items():
        start = doc.text.find(span)
        if start < 0:
            continue
        section = sources.containing(doc.meta.id, start, start + len(span))
        if section is not None:
            out[fact] = [Printed(locator=section.locator, span=span)]
    return out
