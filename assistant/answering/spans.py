"""Which sentences of the retrieved passages answer the question: candidate units scored by a small
calibrated model.

Every sentence and list item of the passages (``assistant.sentences``) is a candidate. Its
features, each general (none names a document, a phrasing or a question):

- ``dense``: cosine similarity of the question's vector and the unit's (the index's sentence
  vectors, looked up by text);
- ``bank``: similarity of the question to the best bank question whose span covers the unit;
  ``bank_ans``: the same for an entry whose direct ``answer`` lies in the unit; ``bank_rank``: the
  place of that entry among the question's matches (1, 1/2, 1/3 …); ``bank_gap``: how far it is
  below the best match of all (0 when this unit is it); ``bank_lex``: the BM25 score of that
  entry's best question against the question's words (1 = the best of the bank); ``bank_asks``:
  the entry answers the kind of thing asked (its ``asks``, as the question's kind model reads it);
- ``cover``: weighted share of the question's concepts the unit expresses (``Vocab.terms``), and
  ``cover_ctx``: the same for its section's headings and document title;
- ``kind_ok`` / ``kind_miss``: a figure, duration or date is asked and the unit holds (lacks) one;
  ``list_ok``: a list is asked and the unit gives or introduces one; ``unit_match``: the asker
  states a quantity (至少要30人吧, 设备四千万) and the unit prints one of the same unit;
  ``title``: the unit is only its section's heading (a line that is only a document's name, a
  title line, is no candidate at all);
- ``rank`` / ``pscore``: the passage's place and fused score; ``doc``: the passage is (+1) or is
  not (−1) of a document the question names; ``target``: the passage is the one the question
  points at (an article it names, an item of the previous answer); ``operative``: the passage is
  of the operative rule and no document is named.

``UnitScorer`` turns them into a probability with a logistic model fit on the development set: the
weights rank the units of a question against each other (pairs of a unit holding the evidence and
one not), and a one-variable logistic fit turns that score into a probability
(``python -m assistant eval calibrate`` writes ``models.json``; eval/REPORT.md has its numbers).
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.bank import Entry
from assistant.corpus.sources import within
from assistant.numbers import has_quantity, quantities
from assistant.question import Question
from assistant.retrieval import BankHit, Retrieval
from assistant.sentences import Unit, split_units
from assistant.types import Passage

FEATURES = ("dense", "bank", "bank_ans", "bank_rank", "bank_gap", "bank_lex", "bank_asks", "cover", "cover_ctx", "kind_ok", "kind_miss",
            "list_ok", "unit_match", "title", "rank", "pscore", "doc", "target", "operative", "length")
_QUANTITY_KINDS = ("figure", "duration", "date")
MODELS = Path(__file__).resolve().parent / "models.json"

_TIME_UNITS = {"年", "月", "天", "日", "周"}
_DURATION_WORDS = re.compile(r"期限|任期|期满|以内|之内|届满|周期")
_DATE = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|截止|之日起|届满前|期满前|结束后")
_BODY = re.compile(r"由|负责|总局|部门|委员会|单位|机构|政府|工业和信息化部|主管")
_INLINE_LIST = re.compile(r"(?:包括|包含|主要有|分为|如下|主要是)[：:]")
_TITLE_TRIM = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]\s*|[一二三四五六七八九十]+、)|[。：:\s]+$")


def holds_kind(text: str, asks: str) -> bool:
    """Whether ``text`` holds the kind of answer ``asks`` wants (see module docstring)."""
    if asks == "figure":
        return has_quantity(text)
    if asks == "duration":
        return has_quantity(text, _TIME_UNITS) or bool(_DURATION_WORDS.search(text))
    if asks == "date":
        return bool(_DATE.search(text))
    if asks == "body":
        return bool(_BODY.search(text))
    if asks == "list":
        return text.rstrip().endswith(("：", ":")) or bool(_INLINE_LIST.search(text)) or text.count("；") >= 2
    return False


@dataclass
class Candidate:
    passage: int
    unit: Unit
    features: dict[str, float]
    p: float = 0.0
    hit: BankHit | None = None  # the bank match covering this unit, if any
    question: Question | None = None  # the question (or part of it) it was scored for

    @property
    def text(self) -> str:
        return self.unit.text


@dataclass
class LogisticModel:
    """Coefficients over named features, an intercept, and the threshold chosen with them."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5
    mean: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)

    def prob(self, f: dict[str, float]) -> float:
        z = self.intercept
        for k, w in self.weights.items():
            x = f.get(k, 0.0)
            if k in self.scale:
                x = (x - self.mean.get(k, 0.0)) / (self.scale[k] or 1.0)
            z += w * x
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"weights": self.weights, "intercept": self.intercept, "threshold": self.threshold,
                "mean": self.mean, "scale": self.scale}

    @classmethod
    def from_json(cls, d: dict) -> LogisticModel:
        return cls(d["weights"], d["intercept"], d.get("threshold", 0.5), d.get("mean", {}), d.get("scale", {}))

    @classmethod
    def fit_ranking(cls, groups: list[tuple[list[dict[str, float]], list[int]]], names: tuple[str, ...],
                    C: float = 1.0, max_pairs: int = 40) -> LogisticModel:
        """Weights that rank, within each group (the candidate units of one question), the ones
        labelled 1 above the others (logistic regression on pairwise differences), then a
        one-variable logistic fit of the labels on that score for the probability."""
        from sklearn.linear_model import LogisticRegression

        all_rows = [r for rows, _ in groups for r in rows]
        X_all = np.array([[r.get(k, 0.0) for k in names] for r in all_rows], dtype=float)
        mean, scale = X_all.mean(axis=0), X_all.std(axis=0)
        scale[scale == 0] = 1.0
        diffs, ys = [], []
        for rows, labels in groups:
            X = (np.array([[r.get(k, 0.0) for k in names] for r in rows], dtype=float) - mean) / scale
            pos = [i for i, y in enumerate(labels) if y]
            neg = [i for i, y in enumerate(labels) if not y][:max_pairs]
            for i in pos:
                for j in neg:
                    diffs.append(X[i] - X[j]); ys.append(1)
                    diffs.append(X[j] - X[i]); ys.append(0)
        rank = LogisticRegression(C=C, max_iter=5000, fit_intercept=False)
        rank.fit(np.array(diffs), np.array(ys))
        w = rank.coef_[0]
        scores = ((X_all - mean) / scale) @ w
        labels_all = np.array([y for _, labels in groups for y in labels])
        platt = LogisticRegression(C=100.0, max_iter=5000)
        platt.fit(scores.reshape(-1, 1), labels_all)
        a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
        return cls({k: float(a * wk) for k, wk in zip(names, w)}, b, 0.5,
                   {k: float(m) for k, m in zip(names, mean)}, {k: float(s) for k, s in zip(names, scale)})

    @classmethod
    def fit(cls, rows: list[dict[str, float]], labels: list[int], names: tuple[str, ...], C: float = 1.0,
            class_weight: str | None = None) -> LogisticModel:
        from sklearn.linear_model import LogisticRegression

        X = np.array([[r.get(k, 0.0) for k in names] for r in rows], dtype=float)
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=C, max_iter=5000, class_weight=class_weight)
        lr.fit((X - mean) / scale, np.array(labels))
        return cls({k: float(w) for k, w in zip(names, lr.coef_[0])}, float(lr.intercept_[0]), 0.5,
                   {k: float(m) for k, m in zip(names, mean)}, {k: float(s) for k, s in zip(names, scale)})


# Before any calibration: a hand-set starting point, used only to produce the first features.
_DEFAULT_UNITS = LogisticModel(
    {"dense": 6.0, "bank": 2.0, "bank_ans": 2.0, "bank_rank": 1.0, "bank_gap": -6.0, "bank_lex": 0.5, "bank_asks": 0.5,
     "cover": 3.0, "cover_ctx": 1.0,
     "kind_ok": 0.8, "kind_miss": -0.8, "list_ok": 0.5, "unit_match": 0.5, "title": -1.0, "rank": 0.8, "pscore": 0.5, "doc": 0.6,
     "target": 1.5, "operative": 0.2, "length": 0.0},
    intercept=-9.0,
)


def load_models(path: Path = MODELS) -> dict[str, LogisticModel]:
    if not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: LogisticModel.from_json(v) for k, v in data.items() if isinstance(v, dict) and "weights" in v}


def is_heading(u: Unit, p: Passage) -> bool:
    """Whether ``u`` is only the heading of the passage's section."""
    if u.line != 0 or len(u.text) > 30 or not p.heading_path:
        return False
    title = re.sub(r"\s+", "", _TITLE_TRIM.sub("", u.text.strip()))
    return bool(title) and title in re.sub(r"\s+", "", _TITLE_TRIM.sub("", p.heading_path[-1].strip()))


def is_title(u: Unit, p: Passage, units: list[Unit]) -> bool:
    """Whether ``u`` is only the title of the passage's section, with sentences after it."""
    return len(units) >= 2 and is_heading(u, p)


def covers(entry: Entry, p: Passage, u: Unit, answer: bool = False) -> bool:
    """Whether a bank entry's span (its ``answer`` with ``answer=True``) overlaps unit ``u`` of
    passage ``p`` (document offsets)."""
    start, end = (entry.answer_start, entry.answer_end) if answer else (entry.start, entry.end)
    if start < 0 or entry.span_doc != p.doc_id:
        return False
    a, b = p.start + u.start, p.start + u.end
    return min(b, end) - max(a, start) > 0


class UnitScorer:
    def __init__(self, sentence_vectors: dict[str, np.ndarray], operative: str | None,
                 model: LogisticModel | None = None, names_only=None):
        self.vectors = sentence_vectors
        self.operative = operative
        self.model = model or _DEFAULT_UNITS
        # text -> whether it is only a document's name (``Catalog.names_only``): such a line (a title,
        # 附件:《…》征求意见稿) is no candidate; it answers nothing of a document's content.
        # The units are the corpus's sentences, a bounded set: each is judged once.
        self.names_only = functools.lru_cache(maxsize=None)(names_only or (lambda text: False))

    def _vec(self, text: str) -> np.ndarray | None:
        return self.vectors.get(text)

    def candidates(self, r: Retrieval, q: Question | None = None, targets: set[str] | frozenset = frozenset(),
                   bank: list[BankHit] | None = None) -> list[Candidate]:
        """Every unit of the retrieved passages with its features and probability, best first.
        ``q``: the question to score against (a part of it, say) and ``bank`` its bank matches;
        ``targets``: chunk ids the question points at (an item of the previous answer)."""
        q = q or r.question
        bank = r.bank if bank is None else bank
        out: list[Candidate] = []
        passages = r.passages
        if not passages:
            return out
        top_score = max(p.score for p in passages) or 1.0
        hits = [h for h in bank if h.entry.quotable]  # best first
        best_bank = max((h.score for h in bank if h.entry.kind in ("passage", "document_fact")), default=0.0)
        qv = q.search_vector
        stated_units = {x.base()[1] for x in q.stated if x.base()[1]}
        for rank, p in enumerate(passages):
            units = split_units(p.text, rank)
            ctx = " ".join([*p.heading_path[-2:], p.doc_short_title])
            cover_ctx = q.coverage(ctx)
            doc = 0.0 if not q.documents else (1.0 if p.doc_id in q.documents else -1.0)
            named = any(p.article == a.article and (a.item is None or within(p.locator, a.locator))
                        for a in q.articles) and (not q.documents or p.doc_id in q.documents)
            target = 1.0 if (p.chunk_id in targets or named) else 0.0
            for u in units:
                if self.names_only(u.text):
                    continue
                v = self._vec(u.text)
                span_hits = [(i, h) for i, h in enumerate(hits) if covers(h.entry, p, u)]
                ans_hits = [(i, h) for i, h in span_hits if covers(h.entry, p, u, answer=True)]
                best_i, hit = (ans_hits or span_hits or [(None, None)])[0]
                needs_quantity = q.asks in _QUANTITY_KINDS
                holds = holds_kind(u.text, q.asks)
                f = {
                    "dense": float(v @ qv) if v is not None else 0.0,
                    "bank": span_hits[0][1].score if span_hits else 0.0,
                    "bank_ans": ans_hits[0][1].score if ans_hits else 0.0,
                    "bank_rank": 1.0 / (1 + best_i) if best_i is not None else 0.0,
                    "bank_gap": (best_bank - hit.score) if hit else best_bank,
                    "bank_lex": max((r.bank_lexical.get(h.entry.id, 0.0) for _, h in span_hits), default=0.0),
                    "bank_asks": q.asks_p.get(hit.entry.data.asks or "", 0.0) if hit else 0.0,
                    "cover": q.coverage(u.text),
                    "cover_ctx": cover_ctx,
                    "kind_ok": 1.0 if needs_quantity and holds else 0.0,
                    "kind_miss": 1.0 if needs_quantity and not holds else 0.0,
                    "list_ok": 1.0 if q.asks == "list" and (holds or u.kind == "intro" or bool(u.item_label and u.line > 0)) else 0.0,
                    "unit_match": 1.0 if stated_units and stated_units & {x.base()[1] for x in quantities(u.text)} else 0.0,
                    "title": 1.0 if is_title(u, p, units) else 0.0,
                    "rank": 1.0 / (1 + rank),
                    "pscore": p.score / top_score if top_score else 0.0,
                    "doc": doc,
                    "target": target,
                    "operative": 1.0 if (p.doc_id == self.operative and not q.documents) else 0.0,
                    "length": math.log1p(len(u.text)),
                }
                out.append(Candidate(rank, u, f, self.model.prob(f), hit, q))
        out.sort(key=lambda c: -c.p)
        return out
