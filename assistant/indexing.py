"""Corpus -> chunks -> embeddings -> Chroma, idempotently.

``build_index`` chunks the parsed corpus, fingerprints the result together with the embedder and
the chunking settings, and writes a new collection only when that fingerprint is not already live
(see ``assistant.store`` for the atomic switch); chunks and sentences the live index already holds
keep their vectors, so adding one document embeds that document only. Progress goes to stderr.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass

from assistant.bank import QuestionBank
from assistant.chunking import chunk_corpus, context_header, sentences, token_counter
from assistant.corpus.sources import Sources
from assistant.embeddings import Embedder
from assistant.knowledge import Knowledge
from assistant.settings import Settings
from assistant.store import ChromaStore, fingerprint
from assistant.types import Chunk, ParsedDocument


log = logging.getLogger(__name__)

# Bump when what is written changes shape, so that an older index is rebuilt, not misread.
INDEX_FORMAT = 2


@dataclass
class IndexReport:
    built: bool
    chunks: int
    fingerprint: str
    seconds: float
    where: str
    bank_questions: int = 0
    bank_added: int = 0
    bank_removed: int = 0
    embedded: int = 0  # chunk and sentence texts embedded by this build (the others kept their vectors)


def corpus_chunks(docs: list[ParsedDocument], settings: Settings) -> list[Chunk]:
    return chunk_corpus(docs, token_counter(settings.chunking.encoding), settings.chunking.max_tokens)


def sync_bank(bank: QuestionBank | None, embedder: Embedder, store: ChromaStore, show_progress: bool = False) -> tuple[int, int, int]:
    """Embed the bank's new questions into the store and drop the removed ones: (questions, added, removed)."""
    rows = [(r.id, r.text, {"entry": r.entry, "style": r.style}) for r in (bank.rows() if bank else [])]
    bar = None
    progress = None
    if show_progress and rows:
        from tqdm import tqdm

        bar = tqdm(desc="embedding bank questions", unit="question", file=sys.stderr)
        progress = bar.update
    try:
        added, removed = store.sync_bank(rows, embedder.embed_queries, embedder.name, progress)
    finally:
        if bar is not None:
            bar.close()
    return len(rows), added, removed


def build_index(
    docs: list[ParsedDocument], embedder: Embedder, store: ChromaStore, settings: Settings, show_progress: bool = False,
    bank: QuestionBank | None = None,
) -> IndexReport:
    t0 = time.perf_counter()
    chunks = corpus_chunks(docs, settings)
    by_id = {d.meta.id: d for d in docs}
    headers = [context_header(c, by_id) for c in chunks]
    chunk_sentences = [sentences(c.text) for c in chunks]
    fp = fingerprint(chunks, embedder.name, extra=f"v{INDEX_FORMAT}|{settings.chunking.max_tokens}|{'|'.join(headers)}")
    progress = None
    bar = None
    if show_progress and store.live_fingerprint() != fp:
        from tqdm import tqdm

        total = len(chunks) + sum(map(len, chunk_sentences))
        bar = tqdm(total=total, desc="indexing chunks and sentences (new ones embedded)", unit="text", file=sys.stderr)
        progress = bar.update
    try:
        built = store.build(chunks, headers, chunk_sentences, embedder.embed_passages, fp, progress,
                            embedder=embedder.name)
    finally:
        if bar is not None:
            bar.close()
    # No bank given: the bank's questions in the store are left as they are (not synced to none).
    questions, added, removed = sync_bank(bank, embedder, store, show_progress) if bank is not None else (0, 0, 0)
    return IndexReport(built, len(chunks), fp, time.perf_counter() - t0, store.where, questions, added, removed,
                       store.last_build["embedded"] if built else 0)


def load_bank(settings: Settings, sources: Sources) -> QuestionBank:
    """The question bank of the corpus. An entry whose span is no longer in its document (the
    document changed) is left out and logged, never served stale; tests/test_bank.py holds the
    committed bank to every entry being valid. The curated answers (``settings.curated_path``,
    ``assistant.curation``) join it."""
    bank = QuestionBank.load(settings.corpus_dir / "bank", sources, strict=False,
                             catalog=Knowledge.load(settings.corpus_dir).catalog,
                             extra_files=[settings.curated_path])
    for problem in bank.problems:
        log.warning("question bank entry left out: %s", problem)
    return bank


def index_corpus(settings: Settings, embedder: Embedder | None = None, store: ChromaStore | None = None,
                 show_progress: bool = False) -> IndexReport:
    """Bring the index up to date with the corpus directory and its question bank, as they are now
    (only new or changed texts are embedded; what left the corpus leaves the index)."""
    from assistant.corpus import load_corpus
    from assistant.embeddings import make_embedder

    docs = load_corpus(settings.corpus_dir)
    bank = load_bank(settings, Sources(docs))
    return build_index(docs, embedder or make_embedder(settings.embedding), store or ChromaStore(settings.store),
                       settings, show_progress=show_progress, bank=bank)


def serving_lock(settings: Settings):
    """The lock a server holds on an embedded index while it serves (None with a Chroma server,
    which any process may write to). An embedded index must have one writer: while a server holds
    this, the CLI leaves indexing to it (the server follows the corpus, ``assistant.live``)."""
    if settings.store.chroma_host:
        return None
    from filelock import FileLock

    settings.store.path.mkdir(parents=True, exist_ok=True)
    return FileLock(str(settings.store.path / ".serving.lock"))


def served_elsewhere(settings: Settings) -> bool:
    """Whether a server process holds the embedded index (see ``serving_lock``)."""
    from filelock import Timeout

    lock = serving_lock(settings)
    if lock is None:
        return False
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False
