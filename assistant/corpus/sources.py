"""Sections of the parsed corpus looked up by locator, as passages.

The answer sometimes needs a section that retrieval did not return: the recommending bodies of
第十条 when pointing an applicant to who can answer, the other side of a 2022/2023 wording
difference, the sibling items of a list, the whole list when retrieval returns several of its items. ``Sources`` finds them in the parsed documents (the same
cleaned text the index was built from), so their quotes are verbatim spans like any passage's.

Without a corpus (``Sources(None)``), every lookup returns None and the answer does without.
It does not search by meaning; retrieval does that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.types import ParsedDocument, Passage, Section

_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇两]+条$")


def norm_locator(locator: str) -> str:
    """A locator as compared: no spaces, full-width brackets (第十二条(三) = 第十二条（三）)."""
    return re.sub(r"\s+", "", locator).replace("(", "（").replace(")", "）")


def within(locator: str, wanted: str) -> bool:
    """Whether ``locator`` is the section ``wanted`` or lies inside it (第十二条（三）1 is in 第十二条)."""
    a, b = norm_locator(locator), norm_locator(wanted)
    return a == b or a.startswith(b)


def _walk(node: Section):
    yield node
    for c in node.children:
        yield from _walk(c)


class Sources:
    def __init__(self, docs: Mapping[str, ParsedDocument] | list[ParsedDocument] | None):
        if docs is None:
            self.docs: dict[str, ParsedDocument] = {}
        elif isinstance(docs, Mapping):
            self.docs = dict(docs)
        else:
            self.docs = {d.meta.id: d for d in docs}

    def texts(self) -> list[str]:
        return [d.text for d in self.docs.values()]

    def _passage(self, doc: ParsedDocument, node: Section) -> Passage:
        article = next((p for p in node.path if _ARTICLE.match(p)), None)
        return Passage(
            chunk_id=f"{doc.meta.id}:{node.locator}",
            doc_id=doc.meta.id,
            doc_title=doc.meta.title,
            doc_short_title=doc.meta.short_title,
            locator=node.locator,
            heading_path=list(node.path),
            text=node.text,
            status=doc.meta.status,
            date=doc.meta.date,
            article=article,
            start=node.start,
            end=node.end,
            score=0.0,
        )

    def node(self, doc_id: str, locator: str) -> Section | None:
        """The section of ``doc_id`` at ``locator`` (the one locator lookup of the assistant)."""
        doc = self.docs.get(doc_id)
        if doc is None:
            return None
        wanted = norm_locator(locator)
        return next((n for n in _walk(doc.root) if norm_locator(n.locator) == wanted), None)

    def section(self, doc_id: str, locator: str) -> Passage | None:
        node = self.node(doc_id, locator)
        return self._passage(self.docs[doc_id], node) if node is not None else None

    def containing(self, doc_id: str, start: int, end: int) -> Passage | None:
        """The lowest section of ``doc_id`` whose text holds the offsets ``start``..``end``."""
        doc = self.docs.get(doc_id)
        if doc is None:
            return None
        best = None
        for n in _walk(doc.root):
            if n.kind != "document" and n.start <= start and end <= n.end:
                if best is None or (n.end - n.start) < (best.end - best.start):
                    best = n
        return self._passage(doc, best) if best is not None else None

    def by_path(self, doc_id: str, path: list[str] | tuple[str, ...]) -> Passage | None:
        """The section whose heading path is ``path`` (a chunk's ``heading_path`` or a prefix of it)."""
        doc = self.docs.get(doc_id)
        if doc is None or not path:
            return None
        node = next((n for n in _walk(doc.root) if n.path == list(path)), None)
        return self._passage(doc, node) if node is not None else None

    def children(self, doc_id: str, locator: str) -> list[Passage]:
        node = self.node(doc_id, locator)
        return [self._passage(self.docs[doc_id], c) for c in node.children] if node is not None else []

    def document_text(self, doc_id: str) -> str | None:
        doc = self.docs.get(doc_id)
        return doc.text if doc else None
