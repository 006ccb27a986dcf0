"""The facade every interface (CLI, web UI, REST API, widget) is built on.

``Assistant.from_settings()`` loads the corpus, builds the index if it is missing or stale, and
wires retrieval, the answer chain and the eligibility tool. The methods:

- ``search(query, k)``: passages, best first;
- ``ask(question, history)`` / ``ask_stream(...)``: a cited answer (and an eligibility report when
  the message carries lab figures);
- ``check_eligibility(profile_or_text)``: the structured check against 第十二条;
- ``documents()``, ``document(doc_id)``, ``section(doc_id, locator)``: the corpus as trees.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from assistant.corpus import load_corpus, walk
from assistant.embeddings import Embedder, make_embedder
from assistant.errors import InputError
from assistant.indexing import IndexReport, build_index
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.store import ChromaStore
from assistant.types import Answer, DocumentMeta, ParsedDocument, Passage, Section


class Assistant:
    def __init__(self, settings: Settings, docs: list[ParsedDocument], embedder: Embedder, store: ChromaStore,
                 index_report: IndexReport):
        self.settings = settings
        self.docs = {d.meta.id: d for d in docs}
        self.embedder = embedder
        self.store = store
        self.index_report = index_report
        self.retriever = HybridRetriever(store, embedder, settings.retrieval, [d.meta for d in docs])

    @classmethod
    def from_settings(cls, settings: Settings | None = None, show_progress: bool = False) -> Assistant:
        settings = settings or Settings()
        docs = load_corpus(settings.corpus_dir)
        embedder = make_embedder(settings.embedding)
        store = ChromaStore(settings.store)
        report = build_index(docs, embedder, store, settings, show_progress=show_progress)
        return cls(settings, docs, embedder, store, report)

    # -- retrieval ----------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, doc_ids: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None) -> list[Passage]:
        return self.retriever.search(query, k, doc_ids=doc_ids, statuses=statuses)

    # -- answers ------------------------------------------------------------------------------
    @cached_property
    def answerer(self):
        from assistant.answering import build_answerer

        return build_answerer(self.settings, retrieve=self._retrieve_for_answer, corpus=self.docs)

    def _retrieve_for_answer(self, query: str, k: int) -> list[Passage]:
        return self.retriever.search(query, k)

    def ask(self, question: str, history: list | None = None) -> Answer:
        return self.answerer.ask(question, history)

    def ask_stream(self, question: str, history: list | None = None) -> Iterator[str | Answer]:
        return self.answerer.ask_stream(question, history)

    # -- eligibility --------------------------------------------------------------------------
    def check_eligibility(self, profile_or_text):
        from assistant import eligibility

        return eligibility.check(profile_or_text)

    # -- corpus -------------------------------------------------------------------------------
    def documents(self) -> list[DocumentMeta]:
        return [d.meta for d in self.docs.values()]

    def document(self, doc_id: str) -> ParsedDocument:
        try:
            return self.docs[doc_id]
        except KeyError:
            raise InputError(f"Unknown document {doc_id!r}. 未找到文件 {doc_id}。") from None

    def section(self, doc_id: str, locator: str) -> Section | None:
        wanted = locator.replace("(", "（").replace(")", "）").replace(" ", "")
        for node in walk(self.document(doc_id).root):
            if node.locator.replace(" ", "") == wanted:
                return node
        return None
