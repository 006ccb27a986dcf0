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

from assistant.bank import QuestionBank
from assistant.corpus import load_corpus
from assistant.corpus.sources import Sources
from assistant.embeddings import Embedder, QueryCache, make_embedder
from assistant.errors import InputError
from assistant.indexing import IndexReport, build_index, load_bank
from assistant.knowledge import Knowledge
from assistant.question import AsksModel, QuestionReader
from assistant.retrieval import HybridRetriever
from assistant.sentences import split_units
from assistant.settings import Settings
from assistant.store import ChromaStore
from assistant.types import Answer, DocumentMeta, ParsedDocument, Passage, Section
from assistant.vocabulary import Vocab


class Assistant:
    def __init__(self, settings: Settings, docs: list[ParsedDocument], embedder: Embedder, store: ChromaStore,
                 index_report: IndexReport, bank: QuestionBank | None = None):
        self.settings = settings
        self.docs = {d.meta.id: d for d in docs}
        self.embedder = embedder
        self.store = store
        self.index_report = index_report
        self.knowledge = Knowledge.load(settings.corpus_dir)
        self.sources = Sources(docs)
        self.bank = bank if bank is not None else load_bank(settings, self.sources)
        self.vocab = Vocab(self.knowledge.vocabulary, [u.text for d in docs for u in split_units(d.text)])
        self.embed = QueryCache(embedder)
        self.reader = QuestionReader(self.knowledge.catalog, self.vocab, AsksModel(self.bank), self.embed,
                                     self.knowledge.versions.compare_words)
        self.retriever = HybridRetriever(store, embedder, settings.retrieval, self.knowledge.catalog, self.vocab,
                                         self.reader, self.sources, self.bank)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, show_progress: bool = False) -> Assistant:
        settings = settings or Settings()
        docs = load_corpus(settings.corpus_dir)
        bank = load_bank(settings, Sources(docs))
        embedder = make_embedder(settings.embedding)
        store = ChromaStore(settings.store)
        report = build_index(docs, embedder, store, settings, show_progress=show_progress, bank=bank)
        return cls(settings, docs, embedder, store, report, bank)

    # -- retrieval ----------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, doc_ids: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None) -> list[Passage]:
        return self.retriever.search(query, k, doc_ids=doc_ids, statuses=statuses)

    # -- answers ------------------------------------------------------------------------------
    @cached_property
    def answerer(self):
        from assistant.answering import build_answerer

        return build_answerer(self.settings, self)

    def ask(self, question: str, history: list | None = None) -> Answer:
        report, why = self._eligibility(question, history)
        answer = self.superseded_notes(self.answerer.ask(question, history))
        return self._with_report(answer, report, why) if report is not None else answer

    def ask_stream(self, question: str, history: list | None = None) -> Iterator[str | Answer]:
        report, why = self._eligibility(question, history)
        if report is None:
            for item in self.answerer.ask_stream(question, history):
                if isinstance(item, Answer):
                    noted = self.superseded_notes(item)
                    if noted.text != item.text:
                        yield noted.text[len(item.text):]
                    item = noted
                yield item
            return
        # the report leads; the passages behind it follow in the final answer
        answer = self._with_report(self.superseded_notes(self.answerer.ask(question, history)), report, why)
        for part in answer.text.split("\n"):
            yield part + "\n"
        yield answer

    def superseded_notes(self, answer: Answer) -> Answer:
        """The answer with a note for each cited article whose older version (the document it
        supersedes, ``supersedes`` in the catalog) reads differently at the same locator."""
        if answer.refused or not answer.citations:
            return answer
        notes = []
        seen = set()
        for c in answer.citations:
            doc = self.docs.get(c.doc_id)
            for old_id in doc.meta.supersedes if doc is not None else []:
                old = self.docs.get(old_id)
                if old is None or (old_id, c.locator) in seen:
                    continue
                seen.add((old_id, c.locator))
                before = self.sources.node(old_id, c.locator)
                now = self.sources.node(c.doc_id, c.locator)
                if before is None or now is None or "".join(before.text.split()) == "".join(now.text.split()):
                    continue
                old_words = " ".join(before.text.split())
                if answer.language == "en":
                    notes.append(f"Note: {c.locator} of the earlier version {old.meta.short_title} ({old.meta.date}, "
                                 f"superseded) read differently: “{old_words}”")
                else:
                    notes.append(f"注：旧版{old.meta.short_title}（{old.meta.date}，已被新版替代）{c.locator}原为："
                                 f"“{old_words}”，现以新版为准。")
        if not notes:
            return answer
        return answer.model_copy(update={"text": answer.text.rstrip() + "\n\n" + "\n".join(notes)})

    # -- eligibility --------------------------------------------------------------------------
    def check_eligibility(self, profile_or_text, base=None):
        from assistant import eligibility

        if isinstance(profile_or_text, str):
            self.retriever.check_query(profile_or_text)
        return eligibility.check(profile_or_text, base=base)

    @cached_property
    def eligibility_tool_calling(self):
        from assistant.answering.tool_calling import ToolCallingEligibility

        return ToolCallingEligibility(self.settings)

    def _eligibility(self, question: str, history: list | None):
        """(report or None, why the tool call fell back or None): the one place the path is chosen.
        With an LLM backend the model calls ``check_lab_eligibility`` (falling back to the
        extractor); with the extractive default, the extractor decides."""
        if self.settings.answer.backend == "openai":
            return self.eligibility_tool_calling.report(question, history, fallback=self._eligibility_in_chat)
        return self._eligibility_in_chat(question, history), None

    def _eligibility_in_chat(self, question: str, history: list | None):
        """The eligibility report when this message (or, for a correction like 设备其实是5200万,
        the conversation) carries the lab's figures; None otherwise. Figures of earlier user
        messages are the base that this message updates."""
        from assistant import eligibility

        if not isinstance(question, str) or not question.strip():
            return None  # the answer chain gives the clear error
        if not eligibility.has_lab_figures(question):
            return None
        return eligibility.check(question, base=eligibility.history_profile(history))

    def _with_report(self, answer: Answer, report, fallback_reason: str | None = None) -> Answer:
        """The answer to a message with lab figures: the condition-by-condition report first, its
        clause citations, then the passages the question retrieved. ``fallback_reason``: why the
        tool call gave way to the extractor, added to the answer's own."""
        from assistant import eligibility

        lang = answer.language
        seen = {(c.doc_id, c.locator, c.quote) for c in answer.citations}
        cited = []
        for c in [r.citation for r in report.criteria] + list(report.channel.citations):
            if (c.doc_id, c.locator, c.quote) not in seen:
                seen.add((c.doc_id, c.locator, c.quote))
                cited.append(c)
        text = eligibility.render(report, lang)
        if answer.text and not answer.refused:
            text += "\n\n" + ("相关条文：\n" if lang == "zh" else "Related provisions:\n") + answer.text
        reasons = "; ".join(r for r in (answer.fallback_reason, fallback_reason) if r) or None
        return answer.model_copy(
            update={"text": text, "refused": False, "citations": cited + list(answer.citations),
                    "eligibility": report.model_dump(mode="json"), "fallback_reason": reasons}
        )

    # -- corpus -------------------------------------------------------------------------------
    def documents(self) -> list[DocumentMeta]:
        return [d.meta for d in self.docs.values()]

    def document(self, doc_id: str) -> ParsedDocument:
        try:
            return self.docs[doc_id]
        except KeyError:
            raise InputError(f"Unknown document {doc_id!r}. 未找到文件 {doc_id}。") from None

    def section(self, doc_id: str, locator: str) -> Section | None:
        self.document(doc_id)  # unknown document: a clear error
        return self.sources.node(doc_id, locator)
