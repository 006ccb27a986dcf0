"""The refusal gate: whether the chosen spans answer the question, as a calibrated probability.

Features of a question and the selection made for it (each general, none written for a question):

- ``lead_p``: the span model's probability that the lead unit answers (``spans``);
- ``bank_top_unans``: the closest bank entry is one the documents do not answer (the bank's
  ``answered: false`` entries, written from the documents: the near misses applicants ask — a
  quota, a fee, a deadline, a headcount the texts do not give); ``unans_same_kind``: and what that
  entry says is missing (a figure, a duration, a body …) is what this question asks;
- ``unans_p``: how likely a question like this is one the documents leave open, by a logistic
  regression over the embedder's vectors fit on the bank's questions (answered or not): it learns
  what such questions have in common (a fee, a deadline, a list of names …) beyond the nearest one;
- ``kind_missing``: a figure, duration or date is asked and the quoted text prints none (Chinese
  numerals count: 两年, 三个月, 十五项);
- ``term_missing``: the question uses a word the documents use too (投资补助, 任期, 科研用房), and the
  quoted text has neither it nor a synonym of it: the quote is about something else than what is
  asked, which the documents speak of elsewhere ("投资补助具体能给多少钱？" quoted with the 2000万元 of
  the project threshold).

Two more features were measured and taken out (eval/REPORT.md, the gate's feature table): the
margin between the best answered and not-answered bank scores changed nothing on the sets it was
not fit on, and "a per-unit qualifier (每个省) the quote does not speak of" made more false refusals
there.

``Gate.decide`` turns them into P(answerable) with a logistic model fit on the development set and
refuses below the threshold chosen there (and always when the closest bank question is a curated
entry that help-desk staff marked as not answered) (``python -m assistant eval calibrate``; the reliability
table and the comparison with other feature sets, measured on the held-out sets, are in
eval/REPORT.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.numbers import has_quantity
from assistant.question import Question
from assistant.retrieval import Retrieval

from .spans import LogisticModel, holds_kind

GATE_FEATURES = ("lead_p", "bank_top_unans", "unans_same_kind", "unans_p", "kind_missing", "term_missing")

# Before any calibration: a hand-set starting point, used only to produce the first features.
_DEFAULT_GATE = LogisticModel(
    {"lead_p": 3.0, "bank_top_unans": -1.0, "unans_same_kind": -1.0, "unans_p": -2.0, "kind_missing": -2.0,
     "term_missing": -1.0},
    intercept=-0.5, threshold=0.5,
)
_KINDS = ("passage", "document_fact")


@dataclass
class GateDecision:
    refuse: bool
    p: float
    reason: str | None = None
    missing: str | None = None  # the kind of fact the quoted text lacks
    features: dict[str, float] = field(default_factory=dict)


class UnansweredModel:
    """P(the documents leave a question open | its vector), fit on the bank's questions."""

    def __init__(self, vectors, entries):
        self.model = None
        rows = [(v, int(not e.answered)) for v, e in zip(vectors, entries) if e.kind in _KINDS]
        if len({y for _, y in rows}) == 2:
            from sklearn.linear_model import LogisticRegression

            self.model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
            self.model.fit([v for v, _ in rows], [y for _, y in rows])

    def p(self, vector) -> float:
        return float(self.model.predict_proba([vector])[0][1]) if self.model is not None else 0.0


class Gate:
    def __init__(self, model: LogisticModel | None, unanswered: UnansweredModel | None = None):
        self.model = model or _DEFAULT_GATE
        self.unanswered = unanswered

    def features(self, q: Question, r: Retrieval, quoted: str, lead_p: float) -> dict[str, float]:
        hits = [h for h in r.bank if h.entry.kind in _KINDS]
        top_unans = bool(hits) and not hits[0].entry.answered
        asks_quantity = q.asks in ("figure", "duration", "date")
        return {
            "lead_p": lead_p,
            "bank_top_unans": 1.0 if top_unans else 0.0,
            "unans_same_kind": 1.0 if top_unans and hits[0].entry.data.missing == q.asks else 0.0,
            "unans_p": self.unanswered.p(q.vector) if self.unanswered is not None else 0.0,
            "kind_missing": 1.0 if asks_quantity and not (holds_kind(quoted, q.asks) or has_quantity(quoted)) else 0.0,
            "term_missing": 1.0 if any(t.source_in_corpus and not t.matches(quoted) for t in q.terms) else 0.0,
            # Not a fitted feature: help-desk staff marked the closest bank question as one the
            # documents do not answer (a curated entry), and that decides.
            "curated_unans": 1.0 if top_unans and hits[0].entry.data.source == "curated" else 0.0,
        }

    def decide(self, f: dict[str, float], asks: str) -> GateDecision:
        p = self.model.prob(f)
        if f.get("curated_unans"):
            return GateDecision(True, p, "help-desk staff marked questions like this one as not answered by the documents",
                                None, f)
        if p >= self.model.threshold:
            return GateDecision(False, p, features=f)
        reasons = [("no quantity of the kind asked in the quoted text", f["kind_missing"]),
                   ("the quoted text does not speak of what is asked", f["term_missing"]),
                   ("the closest bank question is one the documents do not answer", f["bank_top_unans"]),
                   ("questions like this one are those the documents leave open", f["unans_p"]),
                   ("the passages are not about what is asked", 1.0 - f["lead_p"])]
        missing = asks if asks in ("figure", "duration", "date", "body", "procedure") else None
        return GateDecision(True, p, max(reasons, key=lambda x: x[1])[0], missing, f)
