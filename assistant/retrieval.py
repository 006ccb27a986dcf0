"""Hybrid retrieval: lexical legs (BM25 over jieba tokens, bm25s), dense legs (the embedder +
Chroma), each at chunk and sentence grain, and the question bank's legs, fused by weighted
reciprocal-rank fusion, with direct article lookup. The chunks are searched in Chroma; the
sentences' and the bank questions' vectors, read from Chroma when the retriever is built, are
ranked in memory (a few thousand rows: one matrix product, no second query).

The legs of one question (its vector is computed once, ``Question.search_vector``: an English
question's without the name of the document it names, which the named-document prior stands for):

- ``dense`` / ``lexical``: chunks ranked by the whole chunk (with its context header);
- ``dense_sentence`` / ``lexical_sentence``: chunks ranked by their best sentence, which favours
  the chunk holding the one sentence a question is about over a neighbour sharing its vocabulary;
- ``bank`` / ``bank_lexical``: chunks ranked by the bank entries whose questions are most like the
  user's (question-to-question similarity is what a small embedder does best), each entry pointing
  at the chunk that holds its span. The matched entries go on to the answerer (``Retrieval.bank``).

Fusion adds, per (sub-)question, priors in the unit of a first rank (1 / (rrf_k + 1)): the
documents the question names; a regional document (辽宁's plan) not asked about loses some; a
question asking a figure or a duration favours passages stating a quantity. A question naming an
article (第十二条, 第12条, Article 12, 第十二条第（三）项) gets that article's chunks first. Several of the
top passages in one section (items of one list) come back as that section whole; each part of a
multi-part question keeps its own best passage in the top k.

A superseded version (catalog status ``superseded``) is left out unless the question names it or
the caller filters by document or status.

Not handled here: whether the passages answer (the answer chain's job).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.bank import Entry, QuestionBank, question_key
from assistant.corpus.sources import Sources, within
from assistant.embeddings import Embedder
from assistant.errors import InputError
from assistant.knowledge import Catalog
from assistant.numbers import has_quantity
from assistant.question import Question, QuestionReader
from assistant.settings import RetrievalSettings
from assistant.store import ChromaStore
from assistant.types import Chunk, Passage
from assistant.vocabulary import Vocab

_FIGURE_KINDS = ("figure", "duration")
LEGS = ("dense", "lexical", "dense_sentence", "lexical_sentence", "bank", "bank_lexical")


def _positive_order(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the (at most ``n``) best positive ``scores``, best first."""
    positive = np.flatnonzero(scores > 0)
    return positive[np.argsort(-scores[positive], kind="stable")][:n]


@dataclass
class Filters:
    doc_ids: Sequence[str] | None = None
    statuses: Sequence[str] | None = None

    def allows(self, chunk: Chunk) -> bool:
        return (not self.doc_ids or chunk.doc_id in self.doc_ids) and (
            not self.statuses or chunk.status in self.statuses
        )

    def where(self) -> dict | None:
        clauses = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.statuses:
            clauses.append({"status": {"$in": list(self.statuses)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class BankHit:
    """A bank entry matched by a question: its best-matching question, that similarity, and the
    score entries are ranked by (the similarity plus a share of the entry's BM25 match)."""

    entry: Entry
    sim: float
    question: str
    chunk: int | None  # index of the chunk holding the entry's span
    score: float = 0.0


@dataclass
class Retrieval:
    question: Question
    passages: list[Passage]
    bank: list[BankHit] = field(default_factory=list)
    dense_top: float = 0.0  # best cosine similarity of a chunk (the dense leg)
    bank_lexical: dict[str, float] = field(default_factory=dict)  # entry id -> BM25 of its best question, 1 = the best


def own_first(own: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """The vector of a text read with the question around it (a part of a multi-part question, an
    ellipsis with the question it follows): its own twice, the whole's once, of unit length."""
    v = 2 * own + whole
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


class HybridRetriever:
    def __init__(self, store: ChromaStore, embedder: Embedder, settings: RetrievalSettings, catalog: Catalog,
                 vocab: Vocab, reader: QuestionReader, sources: Sources | None = None,
                 bank: QuestionBank | None = None):
        import bm25s

        self.catalog = catalog
        self.vocab = vocab
        self.reader = reader
        self.sources = sources
        self.operative = {catalog.operative} if catalog.operative else set()
        self.regions = {d.id: [n.lower() for n in d.region] for d in catalog.documents if d.region}
        # Versions a newer text replaced: kept and searchable, not cited unless a question names them.
        self.superseded = {d.id for d in catalog.documents if d.status == "superseded"}
        self.store = store
        self.embedder = embedder
        self.settings = settings
        records = store.all_chunks()
        self.chunks: list[Chunk] = [c for c, _ in records]
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self._bm25 = bm25s.BM25()
        self._bm25.index([vocab.tokenize(f"{h}\n{c.text}") or ["_"] for c, h in records], show_progress=False)
        owners, texts, vecs = store.sentence_vectors()
        rows = [(self.by_id[cid], s, v) for cid, s, v in zip(owners, texts, vecs) if cid in self.by_id]
        self._sentence_owner = np.array([i for i, _, _ in rows], dtype=np.int64)
        # The sentence vectors are held here anyway (the span scoring reads them): the sentence
        # leg ranks them in memory rather than in a second Chroma query.
        self._sentence_matrix = np.stack([v for _, _, v in rows]) if rows else np.zeros((0, 1), np.float32)
        self.sentence_vectors: dict[str, np.ndarray] = {s: v for _, s, v in rows}
        self._has_quantity = [has_quantity(c.text) for c in self.chunks]
        self._bm25_sentences = bm25s.BM25()
        self._bm25_sentences.index([vocab.tokenize(s) or ["_"] for _, s, _ in rows], show_progress=False)
        # Bank question -> its tokens, entry span -> its chunk: kept across set_bank (and shared by a
        # copy over the same documents); with the rows' vectors, taking a new bank costs only its new
        # questions.
        self._bank_tokens: dict[str, list[str]] = {}
        self._span_chunk: dict[tuple[str, int, int], int | None] = {}
        self._bank_rows: list = []
        self._bank_vecs = np.zeros((0, 1), np.float32)
        self.set_bank(bank)

    # -- the question bank ---------------------------------------------------------------------
    def set_bank(self, bank: QuestionBank | None) -> None:
        """Take a (new) bank: its questions' vectors from the store, each entry's chunk."""
        import bm25s

        self.bank = bank or QuestionBank()
        entries = self.bank.by_id()
        held = {r.id: v for r, v in zip(self._bank_rows, self._bank_vecs)}  # a row id's vector never changes
        ids, vecs = self.store.bank_vectors(self.embedder.name, held) if self.bank.entries else ([], np.zeros((0, 0)))
        rows = {r.id: r for r in self.bank.rows()}
        keep = [(i, rows[rid]) for i, rid in enumerate(ids) if rid in rows and rows[rid].entry in entries]
        self._bank_rows = [r for _, r in keep]
        self._bank_vecs = vecs[[i for i, _ in keep]] if keep else np.zeros((0, 1), np.float32)
        self._bank_entry = [entries[r.entry] for r in self._bank_rows]
        self._entry_ids = list(dict.fromkeys(e.id for e in self._bank_entry))
        self._entry_pos = {e_id: k for k, e_id in enumerate(self._entry_ids)}
        self._row_entry = np.array([self._entry_pos[e.id] for e in self._bank_entry], dtype=np.int64)
        # The document of each entry (none for a request to decline), for the named-document prior.
        docs = {e.id: (e.data.doc_id if e.kind != "scope" else None) for e in self._bank_entry}
        self._entry_doc = np.array([docs[e_id] for e_id in self._entry_ids], dtype=object)
        self._row_by_key: dict[str, list[int]] = {}
        for j, r in enumerate(self._bank_rows):
            self._row_by_key.setdefault(question_key(r.text), []).append(j)
        self._entry_chunk = {e.id: self._chunk_of(e) for e in self.bank.entries}
        self._bank_bm25 = None
        if self._bank_rows:
            for r in self._bank_rows:
                if r.text not in self._bank_tokens:
                    self._bank_tokens[r.text] = self.vocab.tokenize(r.text) or ["_"]
            self._bank_bm25 = bm25s.BM25()
            self._bank_bm25.index([self._bank_tokens[r.text] for r in self._bank_rows], show_progress=False)

    def _chunk_of(self, e: Entry) -> int | None:
        """The chunk holding an entry's span (the most of it, when a span crosses chunks)."""
        if e.start < 0:
            return None
        key = (e.span_doc, e.start, e.end)
        if key not in self._span_chunk:
            self._span_chunk[key] = self._chunk_at(*key)
        return self._span_chunk[key]

    def _chunk_at(self, doc_id: str, start: int, end: int) -> int | None:
        best, overlap = None, 0
        for i, c in enumerate(self.chunks):
            if c.doc_id != doc_id:
                continue
            o = min(c.end, end) - max(c.start, start)
            if o > overlap:
                best, overlap = i, o
        return best

    def bank_matrix(self) -> tuple[np.ndarray, list[Entry]]:
        """The vectors of the bank's questions and the entry of each."""
        return self._bank_vecs, list(self._bank_entry)

    def bank_texts(self) -> list[str]:
        """The bank's questions, in the order of ``bank_matrix``."""
        return [r.text for r in self._bank_rows]

    def bank_hits(self, q: Question, n: int = 10, vector: np.ndarray | None = None,
                  lexical: dict[str, float] | None = None, sims: np.ndarray | None = None) -> list[BankHit]:
        """The ``n`` entries whose questions are most like ``q``, one hit per entry, best first by
        ``score``: cosine similarity of the best question, plus ``bank_lexical_mix`` times the BM25
        match of the entry's best question (1 for the best of the bank), so that an entry sharing
        the asker's words wins among entries the embedder finds alike, plus ``bank_named_boost``
        for an entry of a document the question names. ``vector`` instead of
        ``q``'s own (a part of a question read with the whole of it); ``lexical`` and ``sims``
        when the caller has computed them already (``bank_lexical`` of ``q.text``, the masked
        similarities of the bank's rows)."""
        if not len(self._bank_rows):
            return []
        if sims is None:
            sims = self._masked(self._bank_vecs @ (q.search_vector if vector is None else vector), q.exclude)
        if lexical is None:
            lexical = self.bank_lexical(q.text, exclude=q.exclude)
        # Every row is scored as its entry would be (so that an entry the words or the named
        # document lift is not lost behind rows the embedder alone ranks higher); one hit an entry.
        bonus = np.zeros(len(self._entry_ids), np.float32)
        for e_id, v in lexical.items():
            bonus[self._entry_pos[e_id]] += self.settings.bank_lexical_mix * v
        for doc in q.documents:
            bonus[self._entry_doc == doc] += self.settings.bank_named_boost
        scores = sims + bonus[self._row_entry]
        best: dict[str, BankHit] = {}
        for j in np.argsort(-scores)[: 12 * n]:
            e = self._bank_entry[j]
            if e.id not in best:
                best[e.id] = BankHit(e, float(sims[j]), self._bank_rows[j].text, self._entry_chunk.get(e.id), float(scores[j]))
            if len(best) >= n:
                break
        return sorted(best.values(), key=lambda h: -h.score)[:n]

    def _masked(self, scores: np.ndarray, exclude: frozenset[str]) -> np.ndarray:
        """``scores`` of the bank's rows with the rows of the questions in ``exclude`` put last."""
        if exclude:
            scores = scores.copy()
            for key in exclude:
                for j in self._row_by_key.get(key, []):
                    scores[j] = -np.inf
        return scores

    def bank_lexical(self, text: str, n: int = 200, exclude: frozenset[str] = frozenset()) -> dict[str, float]:
        """Entry id -> BM25 score of its best question against ``text``'s words, the best being 1."""
        if self._bank_bm25 is None:
            return {}
        # The documents a question names are matched by the documents prior, not by their words:
        # with them, every entry naming the same document would look alike.
        low = text.lower()
        for name in self.catalog.names_longest_first:
            low = low.replace(name, " ")
        tokens = self.vocab.tokenize(self.vocab.expand(low))
        if not tokens:
            return {}
        scores = self._masked(self._bank_bm25.get_scores(tokens), exclude)
        order = _positive_order(scores, n)
        top = float(scores[order[0]]) if len(order) else 0.0
        out: dict[str, float] = {}
        for j in order:
            out.setdefault(self._bank_entry[j].id, float(scores[j]) / top)
        return out

    # -- validation ---------------------------------------------------------------------------
    def check_query(self, query: str) -> str:
        if not isinstance(query, str):
            raise InputError("The question must be text. 问题必须是文本。")
        query = query.strip()
        if not query:
            raise InputError("The question is empty. 问题不能为空。")
        if len(query) > self.settings.max_query_chars:
            raise InputError(
                f"The question is too long ({len(query)} characters; at most {self.settings.max_query_chars}). "
                f"问题过长（{len(query)}字，最多{self.settings.max_query_chars}字），请精简后再问。"
            )
        return query

    # -- legs -------------------------------------------------------------------------------
    def _lexical(self, index, owner, tokens: list[str], n: int, filters: Filters) -> list[tuple[int, float]]:
        if not tokens:
            return []
        scores = index.get_scores(tokens)
        return self._ranked_chunks(np.where(scores > 0, scores, -np.inf), owner, n, filters)

    def _ranked_chunks(self, scores: np.ndarray, owner, n: int, filters: Filters) -> list[tuple[int, float]]:
        """The first ``n`` chunks (``owner`` of a row, once each, allowed by ``filters``) of the
        rows ranked by ``scores``; rows scored -inf are left out."""
        out: dict[int, float] = {}
        for j in np.argsort(-scores):
            if scores[j] == -np.inf or len(out) >= n:
                break
            i = owner(int(j))
            if i is not None and i not in out and filters.allows(self.chunks[i]):
                out[i] = float(scores[j])
        return list(out.items())

    def legs(self, text: str, vec: np.ndarray | None, n: int, filters: Filters,
             legs: Sequence[str] = LEGS, exclude: frozenset[str] = frozenset(),
             keep: dict | None = None) -> dict[str, list[tuple[int, float]]]:
        """The hits of each leg for ``text`` (and its vector ``vec``); ``keep``, when given,
        receives the bank similarities so that the bank's matches need not compute them again."""
        found: dict[str, list[tuple[int, float]]] = {}
        where = filters.where()
        if vec is not None:
            if "dense" in legs:
                found["dense"] = [(self.by_id[i], s) for i, s in self.store.query(vec, n, where) if i in self.by_id]
            if "dense_sentence" in legs and len(self._sentence_owner):
                sims = self._sentence_matrix @ vec
                found["dense_sentence"] = self._ranked_chunks(sims, lambda j: int(self._sentence_owner[j]), n, filters)
            if "bank" in legs and len(self._bank_rows):
                sims = self._masked(self._bank_vecs @ vec, exclude)
                if keep is not None:
                    keep["bank_sims"] = sims
                found["bank"] = self._bank_chunks(np.argsort(-sims), sims, n, filters)
        if {"lexical", "lexical_sentence", "bank_lexical"} & set(legs):
            tokens = self.vocab.tokenize(self.vocab.expand(text))
            if "lexical" in legs:
                found["lexical"] = self._lexical(self._bm25, lambda j: j, tokens, n, filters)
            if "lexical_sentence" in legs:
                found["lexical_sentence"] = self._lexical(
                    self._bm25_sentences, lambda j: int(self._sentence_owner[j]), tokens, n, filters)
            if "bank_lexical" in legs and self._bank_bm25 is not None and tokens:
                scores = self._masked(self._bank_bm25.get_scores(tokens), exclude)
                found["bank_lexical"] = self._bank_chunks(_positive_order(scores, 10 * n), scores, n, filters)
        return found

    def _elsewhere(self, text: str) -> set[str]:
        """The regional documents ``text`` is not about: it names neither them nor a place of theirs."""
        named = self.catalog.named_documents(text)
        low = text.lower()
        return {doc for doc, places in self.regions.items() if doc not in named and not any(p in low for p in places)}

    def _bank_chunks(self, order, scores, n: int, filters: Filters) -> list[tuple[int, float]]:
        """The chunks of the answered bank entries in ``order``, once each."""
        out: dict[int, float] = {}
        for j in order[: 10 * n]:
            e = self._bank_entry[j]
            if not e.quotable:
                continue
            i = self._entry_chunk.get(e.id)
            if i is not None and i not in out and filters.allows(self.chunks[i]):
                out[i] = float(scores[j])
            if len(out) >= n:
                break
        return list(out.items())

    # -- fusion -----------------------------------------------------------------------------
    def fuse(self, text: str, legs: dict[str, list[tuple[int, float]]], asks: str | None) -> dict[int, float]:
        """Weighted reciprocal-rank fusion of the legs of one (sub-)question, plus its priors."""
        s = self.settings
        weights = {"dense": s.dense_weight, "lexical": s.lexical_weight, "dense_sentence": s.dense_weight,
                   "lexical_sentence": s.lexical_weight, "bank": s.bank_weight, "bank_lexical": s.bank_lexical_weight}
        unit = 1.0 / (s.rrf_k + 1)
        fused: dict[int, float] = {}
        for leg, hits in legs.items():
            for rank, (i, _) in enumerate(hits):
                fused[i] = fused.get(i, 0.0) + weights[leg] / (s.rrf_k + rank + 1)
        named = self.catalog.named_documents(text)
        elsewhere = self._elsewhere(text)
        wants_quantity = asks in _FIGURE_KINDS
        for i in list(fused):
            c = self.chunks[i]
            if c.doc_id in named:
                fused[i] += s.named_document_boost * unit
            elif c.doc_id in self.operative and not named:
                fused[i] += s.operative_boost * unit
            if c.doc_id in elsewhere:
                fused[i] -= s.regional_penalty * unit
            if wants_quantity and self._has_quantity[i]:
                fused[i] += s.quantity_boost * unit
        return fused

    def read(self, query: str) -> Question:
        return self.reader.read(self.check_query(query))

    def retrieve(self, q: Question, k: int | None = None, doc_ids: Sequence[str] | None = None,
                 statuses: Sequence[str] | None = None, legs: Sequence[str] = LEGS,
                 focus: str | None = None) -> Retrieval:
        """Passages for ``q`` and the bank entries it matches. ``focus``: the asker's own words of a
        follow-up read with the question it follows (改完了还是没通过呢？): the bank is matched by
        them first, the whole question behind them (``own_first``) — the context says where, the
        words say what."""
        k = self.settings.k if k is None else k
        if not 1 <= k <= 50:
            raise InputError("k must be between 1 and 50.")
        hidden = self.superseded - q.documents if doc_ids is None and statuses is None else set()
        if hidden:
            doc_ids = [d.id for d in self.catalog.documents if d.id not in hidden]
        filters = Filters(doc_ids, statuses)
        n = self.settings.candidates
        dense_legs = {"dense", "dense_sentence", "bank"} & set(legs)
        if dense_legs and q.multi_part and q._vector is None:
            self.reader.prefetch([q.text, *q.parts])  # the question and its parts: one model call
        vec = q.search_vector if dense_legs else None
        kept: dict = {}
        found = self.legs(q.search_text or q.text, vec, n, filters, legs, q.exclude, keep=kept)
        per_part = [self.fuse(q.text, found, q.asks)]
        parts = q.parts if q.multi_part else []
        if parts:
            vecs = [self._vector(p) for p in parts] if dense_legs else [None] * len(parts)
            # The parts of a comparison are each asked of their own document.
            part_filters = [Filters([d], statuses) for d in q.compared] if len(q.compared) == len(parts) else [filters] * len(parts)
            for p, v, f in zip(parts, vecs, part_filters):
                per_part.append(self.fuse(p, self.legs(p, v, n, f, legs, q.exclude), q.asks))
        fused: dict[int, float] = {}
        for scores in per_part:
            for i, v in scores.items():
                fused[i] = fused.get(i, 0.0) + v
        ranked = sorted(fused, key=lambda i: -fused[i])
        ranked = self._each_part_kept(ranked, per_part[1:], k)
        ranked = self._article_first(q, ranked, filters, fused)
        dense_top = max((s for _, s in found.get("dense", [])), default=0.0)
        lexical = self.bank_lexical(q.text, exclude=q.exclude)
        if vec is None:
            hits = []
        elif focus:
            hits = self.bank_hits(q, vector=own_first(self._vector(focus), q.vector),
                                  lexical=self.bank_lexical(focus, exclude=q.exclude))
        else:
            hits = self.bank_hits(q, lexical=lexical, sims=kept.get("bank_sims"))
        return Retrieval(q, self._top(ranked, k, fused), hits, dense_top, lexical)

    def _vector(self, text: str) -> np.ndarray:
        return self.reader.embed(text)

    def search(self, query: str, k: int | None = None, doc_ids: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None, legs: Sequence[str] = LEGS) -> list[Passage]:
        return self.retrieve(self.read(query), k, doc_ids, statuses, legs).passages

    def _top(self, ranked: list[int], k: int, fused: dict[int, float]) -> list[Passage]:
        """The first ``k`` passages of ``ranked``, parts of one section merged into that section."""
        merged = self._merge_groups(ranked[:k])
        out: list[Passage] = []
        done: set[tuple[str, tuple[str, ...]]] = set()
        for i in ranked:
            if len(out) >= k:
                break
            c = self.chunks[i]
            group = next((g for g in merged if g[0] == c.doc_id and tuple(c.heading_path[:len(g[1])]) == g[1]), None)
            if group is None:
                out.append(self.passage(i, fused.get(i, 0.0)))
            elif group not in done:
                done.add(group)
                out.append(merged[group].model_copy(update={"score": round(fused.get(i, 0.0), 6)}))
        return out

    def _merge_groups(self, top: list[int]) -> dict[tuple[str, tuple[str, ...]], Passage]:
        """Sections (doc id, heading path) holding at least ``merge_siblings`` of ``top``, deepest
        first and never nested in each other, with the whole section as a passage. A section is at
        least two levels deep (an article, a numbered section): a chapter or a part is not merged."""
        need, cap = self.settings.merge_siblings, self.settings.merge_max_tokens
        if self.sources is None or need < 2:
            return {}
        counts: Counter[tuple[str, tuple[str, ...]]] = Counter()
        for i in top:
            c = self.chunks[i]
            for depth in range(2, len(c.heading_path) + 1):
                counts[(c.doc_id, tuple(c.heading_path[:depth]))] += 1
        chosen: dict[tuple[str, tuple[str, ...]], Passage] = {}
        for doc_id, path in sorted((g for g, n in counts.items() if n >= need), key=lambda g: -len(g[1])):
            if any(d == doc_id and (p[:len(path)] == path or path[:len(p)] == p) for d, p in chosen):
                continue
            members = [c for c in self.chunks if c.doc_id == doc_id and tuple(c.heading_path[:len(path)]) == path]
            if sum(c.tokens for c in members) > cap:
                continue
            section = self.sources.by_path(doc_id, path)
            if section is not None:
                chosen[(doc_id, path)] = section
        return chosen

    @staticmethod
    def _each_part_kept(ranked: list[int], parts: list[dict[int, float]], k: int) -> list[int]:
        """``ranked`` with the best passage of every part of the question inside the first ``k``."""
        seeds = list(dict.fromkeys(max(p, key=p.__getitem__) for p in parts if p))
        missing = [i for i in seeds if i not in ranked[:k]][: max(k - 1, 0)]
        if not missing:
            return ranked
        head = [i for i in ranked if i not in missing][: k - len(missing)]
        return head + missing + [i for i in ranked if i not in head and i not in missing]

    def _article_first(self, q: Question, ranked: list[int], filters: Filters, fused: dict[int, float]) -> list[int]:
        if not q.articles:
            return ranked
        hits: list[int] = []
        for ref in q.articles:
            found = [i for i, c in enumerate(self.chunks) if c.article == ref.article and filters.allows(c)
                     and (not q.documents or c.doc_id in q.documents)]
            if ref.item:
                found = [i for i in found if within(self.chunks[i].locator, ref.locator)] or found
            # best-matching chunk of the article first; the article's order breaks ties
            found.sort(key=lambda i: (-fused.get(i, 0.0), self.chunks[i].start))
            hits += [i for i in found if i not in hits]
        return hits + [i for i in ranked if i not in set(hits)]

    def passage(self, i: int, score: float = 0.0) -> Passage:
        c = self.chunks[i]
        return Passage(
            chunk_id=c.id, doc_id=c.doc_id, doc_title=c.doc_title, doc_short_title=c.doc_short_title,
            locator=c.locator, heading_path=c.heading_path, text=c.text, status=c.status, date=c.date,
            article=c.article, start=c.start, end=c.end, score=round(score, 6),
        )
