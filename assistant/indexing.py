"""Corpus -> chunks -> embeddings -> Chroma, idempotently.

``build_index`` chunks the parsed corpus, fingerprints the result together with the embedder and
the chunking settings, and writes a new collection only when that fingerprint is not already live
(see ``assistant.store`` for the atomic switch). Progress goes to stderr.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from assistant.bank import QuestionBank
from assistant.chunking import chunk_corpus, context_header, sentences, token_counter
from assistant.embeddings import Embedder
from assistant.settings import Settings
from assistant.store import ChromaStore, fingerprint
from assistant.types import Chunk, ParsedDocument


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
        bar = tqdm(total=total, desc="embedding chunks and sentences", unit="text", file=sys.stderr)
        progress = bar.update
    try:
        built = store.build(chunks, headers, chunk_sentences, embedder.embed_passages, fp, progress)
    finally:
        if bar is not None:
            bar.close()
    questions, added, removed = sync_bank(bank, embedder, store, show_progress)
    return IndexReport(built, len(chunks), fp, time.perf_counter() - t0, store.where, questions, added, removed)
