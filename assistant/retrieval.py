"""Hybrid retrieval: lexical legs (BM25 over jieba tokens, bm25s) and dense legs (the embedder +
Chroma), each at two grains, fused by weighted reciprocal-rank fusion, with direct article lookup.

The four legs: ``dense`` and ``lexical`` rank chunks by the whole chunk (with its context header);
``dense_sentence`` and ``lexical_sentence`` rank chunks by their best-matching sentence, which
favours the chunk that holds the one sentence a question is about over a neighbour that shares
its vocabulary diffusely. Measured on the development set (eval/REPORT.md), the sentence legs
add about 0.04 MRR over the two chunk legs.

- A query that names an article (第十二条, 第12条, Article 12, 第十二条第（三）项) gets that article's
  chunks first, best-matching first.
- When several of the top passages are parts of one section (three items of a six-item list, parts
  of one article), that section is returned whole in their place (``merge_siblings``): the reader
  gets the complete list, and the freed places go to other passages. Needs the parsed corpus
  (``sources``); sections longer than ``merge_max_tokens`` stay split.
- Filters by document id and by status apply to both legs.
- Both legs read the chunk text with its context header (document, locator, heading path, the
  article's first sentence), the same text that was embedded.

Not handled here: deciding whether the passages answer the question (the answer chain's job).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.corpus.parsing import article_label, to_int
from assistant.corpus.sources import Sources
from assistant.embeddings import Embedder
from assistant.errors import InputError
from assistant.lexicon import expand_query, tokenize
from assistant.settings import RetrievalSettings
from assistant.store import ChromaStore
from assistant.types import Chunk, DocumentMeta, Passage

_ARTICLE_REF = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*条")
_ARTICLE_REF_EN = re.compile(r"\barticle\s+(\d{1,3})\b", re.I)
_ITEM_REF = re.compile(r"第?\s*[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*项?|第([一二三四五六七八九十]+)项")
LEGS = ("dense", "lexical", "dense_sentence", "lexical_sentence")


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


def referenced_article(query: str) -> tuple[str, str | None] | None:
    """('第十二条', '（三）') for 第12条第（三）项 / Article 12; None when no article is named."""
    m = _ARTICLE_REF.search(query)
    n = None
    if m:
        try:
            n = to_int(m.group(1))
        except (ValueError, KeyError):
            n = None
    else:
        m = _ARTICLE_REF_EN.search(query)
        n = int(m.group(1)) if m else None
    if not n or n > 999:
        return None
    item = None
    rest = query[m.end():]
    im = _ITEM_REF.match(rest.strip()) or _ITEM_REF.search(rest[:8])
    if im:
        item = f"（{im.group(1) or im.group(2)}）"
    return article_label(n), item


_MIIT, _MIIT_SAFE = "工业和信息化", "工业\u2060信息化"
_CLAUSE_END = re.compile(r"[？?；;。!！]")
_RESPECTIVELY = re.compile(r"^(.*?)([^，,、和与及]{2,12})(?:和|与|及|、)([^，,、和与及]{2,12})分别(.+)$")


def decompose(query: str) -> list[str]:
    """The query, plus its parts when it asks several things at once: one per question clause
    (建设期多久？能延期吗？), and one per subject of a 分别 question (A和B分别…). Each part is
    retrieved for, so every part finds its own article (``search`` keeps each part's best passage
    in the top k)."""
    clauses = [c.strip() for c in _CLAUSE_END.split(query) if len(c.strip()) >= 4]
    parts: list[str] = []
    for clause in clauses:
        m = _RESPECTIVELY.match(clause.replace(_MIIT, _MIIT_SAFE))  # 工业和信息化部 is one name
        if m:
            head, a, b, rest = (g.replace(_MIIT_SAFE, _MIIT) for g in m.groups())
            parts += [f"{head}{a}{rest}", f"{head}{b}{rest}"]
        elif len(clauses) > 1:
            parts.append(clause)
    return [query] + [p for p in dict.fromkeys(parts) if p != query]


# Questions that want a quantity (多少, 多久, how many …), and passages that state one: such a
# passage gets ``quantity_boost`` (answer-type matching, as in classic question answering).
_ASKS_QUANTITY = re.compile(
    r"多少|几[个项年家次种类名月天人]|多久|多长|多大|比例|百分之|达到什么|目标是|how (many|much|long|often)|what (percentage|number)",
    re.I,
)
_STATES_QUANTITY = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|项|年|家|名|类|种|月|人)")


def mentioned_documents(query: str, aliases: dict[str, list[str]]) -> set[str]:
    """Ids of the documents the query names (纲要, 五部门, 辽宁, the 2022 guidance …)."""
    low = query.lower()
    return {doc_id for doc_id, names in aliases.items() if any(n.lower() in low for n in names)}


class HybridRetriever:
    def __init__(self, store: ChromaStore, embedder: Embedder, settings: RetrievalSettings,
                 documents: Sequence[DocumentMeta] = (), sources: Sources | None = None):
        import bm25s

        self.sources = sources
        self.aliases = {d.id: d.aliases for d in documents}
        self.operative = {d.id for d in documents if d.authority_rank == 1}
        self.regions = {d.id: [n.lower() for n in d.region] for d in documents if d.region}
        self.store = store
        self.embedder = embedder
        self.settings = settings
        records = store.all_chunks()
        self.chunks: list[Chunk] = [c for c, _ in records]
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self._bm25 = bm25s.BM25()
        self._bm25.index([tokenize(f"{h}\n{c.text}") or ["_"] for c, h in records], show_progress=False)
        sentence_rows = [(self.by_id[cid], s) for cid, s in store.all_sentences() if cid in self.by_id]
        self._sentence_owner = np.array([i for i, _ in sentence_rows], dtype=np.int64)
        self._bm25_sentences = bm25s.BM25()
        self._bm25_sentences.index([tokenize(s) or ["_"] for _, s in sentence_rows], show_progress=False)

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
    def lexical(self, tokens: list[str], n: int, filters: Filters, sentences: bool = False) -> list[tuple[int, float]]:
        """Chunks by BM25 score of the chunk, or of its best sentence."""
        if not tokens:
            return []
        index = self._bm25_sentences if sentences else self._bm25
        scores = index.get_scores(tokens)
        out: dict[int, float] = {}
        for j in np.argsort(-scores):
            if scores[j] <= 0 or len(out) >= n:
                break
            i = int(self._sentence_owner[j]) if sentences else int(j)
            if i not in out and filters.allows(self.chunks[i]):
                out[i] = float(scores[j])
        return list(out.items())

    def dense(self, vec: np.ndarray, n: int, filters: Filters, sentences: bool = False) -> list[tuple[int, float]]:
        """Chunks by cosine similarity of the chunk, or of its best sentence."""
        query = self.store.query_sentences if sentences else self.store.query
        return [(self.by_id[i], s) for i, s in query(vec, n, filters.where()) if i in self.by_id]

    def legs(self, query: str, n: int, filters: Filters, legs: Sequence[str] = LEGS) -> dict[str, list[tuple[int, float]]]:
        found: dict[str, list[tuple[int, float]]] = {}
        if {"dense", "dense_sentence"} & set(legs):
            vec = self.embedder.embed_queries([query])[0]
            if "dense" in legs:
                found["dense"] = self.dense(vec, n, filters)
            if "dense_sentence" in legs:
                found["dense_sentence"] = self.dense(vec, n, filters, sentences=True)
        if {"lexical", "lexical_sentence"} & set(legs):
            tokens = tokenize(expand_query(query))
            if "lexical" in legs:
                found["lexical"] = self.lexical(tokens, n, filters)
            if "lexical_sentence" in legs:
                found["lexical_sentence"] = self.lexical(tokens, n, filters, sentences=True)
        return found

    # -- fusion -----------------------------------------------------------------------------
    def fuse(self, rankings: list[tuple[str, dict[str, list[tuple[int, float]]]]]) -> dict[int, float]:
        """Weighted reciprocal-rank fusion of every leg of every (sub-)query. Each (sub-)query also
        adds its own priors, in the same unit (a first rank is worth 1 / (rrf_k + 1)): the
        documents it names, or the operative rule when it names none; a regional document (辽宁's
        plan) loses ``regional_penalty`` unless the query names it or a place of its region (省属高校
        is any province's); and, when it asks for a quantity, passages that state one."""
        s = self.settings
        weights = {"dense": s.dense_weight, "lexical": s.lexical_weight,
                   "dense_sentence": s.dense_weight, "lexical_sentence": s.lexical_weight}
        unit = 1.0 / (s.rrf_k + 1)
        fused: dict[int, float] = {}
        for query, legs in rankings:
            seen: set[int] = set()
            for leg, hits in legs.items():
                for rank, (i, _) in enumerate(hits):
                    fused[i] = fused.get(i, 0.0) + weights[leg] / (s.rrf_k + rank + 1)
                    seen.add(i)
            named = mentioned_documents(query, self.aliases)
            wants_quantity = bool(_ASKS_QUANTITY.search(query))
            low = query.lower()
            elsewhere = {doc for doc, places in self.regions.items() if doc not in named and not any(p in low for p in places)}
            for i in seen:
                doc = self.chunks[i].doc_id
                if doc in named:
                    fused[i] += s.named_document_boost * unit
                elif doc in self.operative and not named:
                    fused[i] += s.operative_boost * unit
                if doc in elsewhere:
                    fused[i] -= s.regional_penalty * unit
                if wants_quantity and _STATES_QUANTITY.search(self.chunks[i].text):
                    fused[i] += s.quantity_boost * unit
        return fused

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        legs: Sequence[str] = LEGS,
    ) -> list[Passage]:
        query = self.check_query(query)
        k = self.settings.k if k is None else k
        if not 1 <= k <= 50:
            raise InputError("k must be between 1 and 50.")
        filters = Filters(doc_ids, statuses)
        n = self.settings.candidates
        queries = decompose(query)
        per_query = [self.fuse([(q, self.legs(q, n, filters, legs))]) for q in queries]
        fused: dict[int, float] = {}
        for scores in per_query:
            for i, v in scores.items():
                fused[i] = fused.get(i, 0.0) + v
        ranked = sorted(fused, key=lambda i: -fused[i])
        ranked = self._each_part_kept(ranked, per_query[1:], k)
        ranked = self._article_first(query, ranked, filters, fused)
        return self._top(ranked, k, fused)

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
                out.append(self._passage(i, fused.get(i, 0.0)))
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
        """``ranked`` with the best passage of every part of the question (建设期多久？能延期吗？)
        inside the first ``k``: a part whose own best passage the sum of scores pushed out gets it
        back in place of the last ones."""
        seeds = list(dict.fromkeys(max(p, key=p.__getitem__) for p in parts if p))
        missing = [i for i in seeds if i not in ranked[:k]][: max(k - 1, 0)]
        if not missing:
            return ranked
        head = [i for i in ranked if i not in missing][: k - len(missing)]
        return head + missing + [i for i in ranked if i not in head and i not in missing]

    def _article_first(self, query: str, ranked: list[int], filters: Filters, fused: dict[int, float]) -> list[int]:
        ref = referenced_article(query)
        if not ref:
            return ranked
        article, item = ref
        hits = [i for i, c in enumerate(self.chunks) if c.article == article and filters.allows(c)]
        if item:
            narrowed = [i for i in hits if self.chunks[i].locator.startswith(article + item)]
            hits = narrowed or hits
        # best-matching chunk of the article first; the article's order breaks ties
        hits.sort(key=lambda i: (-fused.get(i, 0.0), self.chunks[i].start))
        return hits + [i for i in ranked if i not in set(hits)]

    def _passage(self, i: int, score: float) -> Passage:
        c = self.chunks[i]
        return Passage(
            chunk_id=c.id, doc_id=c.doc_id, doc_title=c.doc_title, doc_short_title=c.doc_short_title,
            locator=c.locator, heading_path=c.heading_path, text=c.text, status=c.status, date=c.date,
            article=c.article, start=c.start, end=c.end, score=round(score, 6),
        )
