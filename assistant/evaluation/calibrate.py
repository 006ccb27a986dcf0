"""Fit the answerer's small models on the development set and write them to
``assistant/answering/models.json`` (``python -m assistant eval calibrate``).

1. The span model (``spans.UnitScorer``): every candidate unit of every answerable development
   question, labelled by whether it holds (part of) one of the question's evidence texts; a
   logistic regression over the unit features.
2. The refusal gate (``gate.Gate``): the features of each development question's selection
   (with the span model of step 1), labelled answerable or not; a logistic regression, and the
   threshold that refuses the most unanswerable questions while refusing at most
   ``max_false_refusals`` of the answerable ones.
3. The router (``scope.Router``): the similarity thresholds that decline the out-of-scope requests
   and send document-fact questions to the catalog, chosen on the same questions.

Besides the development questions, the bank asks itself: one question of every entry (two of a
not-answered entry), with that question left out of the matching (``Turn.exclude``) so that it
meets the bank as an unseen paraphrase of its entry would. Its label comes from the entry: the
unit holding the entry's span answers; a not-answered entry's question should be refused. These
rows are written from the documents, not from any evaluation set, and outnumber the development
questions several times; a development question weighs ``DEV_WEIGHT`` bank questions.

Dialogs are played turn by turn (history from the product's own answers) and their turns join
the questions. It prints each model's fit on the development set and, for any other set given,
the same measures as a check, plus the gate's reliability table (predicted probability against
the observed share of answerable questions, by bin).
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answering.chain import Turn
from assistant.answering.gate import GATE_FEATURES
from assistant.answering.spans import FEATURES, MODELS, LogisticModel
from assistant.bank import question_key
from assistant.evaluation.answers import expectation, history_entry, holds_evidence, load_questions

DEV_WEIGHT = 3


def items(questions: Path | None, dialogs: Path | None, answerer) -> list[tuple[dict, list | None]]:
    """(record, history) of every question and dialog turn; dialog histories hold the product's answers."""
    out: list[tuple[dict, list | None]] = []
    for q in load_questions(questions) if questions else []:
        out.append((q, q.get("history")))
    for d in load_questions(dialogs) if dialogs else []:
        history: list[dict] = []
        for turn in d["turns"]:
            out.append((turn, list(history) or None))
            a = answerer.ask(turn["question"], list(history) or None)
            history += [{"role": "user", "content": turn["question"]}, history_entry(a)]
    return out


def bank_samples(bank) -> list[tuple[str, object]]:
    """(question, entry) pairs the bank asks itself: the entries of the documents' passages and
    facts, one question each (two for a not-answered entry), rotating through their styles."""
    out = []
    for i, e in enumerate(bank.entries):
        if e.kind not in ("passage", "document_fact") or (e.kind == "passage" and not e.data.locator):
            continue
        qs = e.data.questions
        picks = [qs[i % len(qs)]] if e.answered else [qs[i % len(qs)], qs[(i + 1) % len(qs)]]
        out += [(text, e) for text in dict.fromkeys(q.q for q in picks)]
    return out


def bank_unit_rows(answerer, samples) -> tuple[list[dict], list[int], list[tuple[int, list[int]]]]:
    rows, labels, groups = [], [], []
    for text, e in samples:
        if not e.quotable:
            continue
        t: Turn = answerer.turn(text, None, frozenset({question_key(text)}))
        if t.route.kind != "answer" or t.selection is None:
            continue
        idx = []
        for c in t.selection.candidates:
            p = t.retrieval.passages[c.passage]
            a, b = p.start + c.unit.start, p.start + c.unit.end
            idx.append(len(rows))
            rows.append(c.features)
            labels.append(int(p.doc_id == e.span_doc and min(b, e.end) - max(a, e.start) > 0))
        if any(labels[i] for i in idx):
            groups.append((len(groups), idx))
    return rows, labels, groups


def bank_gate_rows(answerer, samples) -> tuple[list[dict], list[int]]:
    rows, labels = [], []
    for text, e in samples:
        t: Turn = answerer.turn(text, None, frozenset({question_key(text)}))
        if t.route.kind != "answer" or t.decision is None or not t.decision.features:
            continue
        rows.append(t.decision.features)
        labels.append(int(e.answered))
    return rows, labels


def unit_rows(answerer, data) -> tuple[list[dict], list[int], list[tuple[int, list[int]]]]:
    rows, labels, groups = [], [], []
    for q, history in data:
        if expectation(q) != "answer" or not q.get("evidence"):
            continue
        t: Turn = answerer.turn(q["question"], history)
        if t.route.kind != "answer" or t.selection is None:
            continue
        idx = []
        for c in t.selection.candidates:
            p = t.retrieval.passages[c.passage]
            idx.append(len(rows))
            rows.append(c.features)
            labels.append(int(holds_evidence(p.doc_id, c.text, q["evidence"], min_inside=6)))
        groups.append((len(groups), idx))
    return rows, labels, groups


def top1(model: LogisticModel, rows, labels, groups) -> float:
    ok = n = 0
    for _, idx in groups:
        if not idx or not any(labels[i] for i in idx):
            continue
        n += 1
        best = max(idx, key=lambda i: model.prob(rows[i]))
        ok += labels[best]
    return round(ok / n, 4) if n else 0.0


def gate_rows(answerer, data) -> tuple[list[dict], list[int]]:
    rows, labels = [], []
    for q, history in data:
        exp = expectation(q)
        if exp == "decline":
            continue
        t: Turn = answerer.turn(q["question"], history)
        if t.route.kind != "answer" or t.decision is None or not t.decision.features:
            continue
        rows.append(t.decision.features)
        labels.append(int(exp == "answer"))
    return rows, labels


def choose_threshold(model: LogisticModel, rows, labels, max_false_refusals: float,
                     tie_rows=(), tie_labels=()) -> float:
    """The threshold that refuses the most unanswerable questions of ``rows`` while refusing at
    most ``max_false_refusals`` of the answerable ones; among thresholds equal on ``rows``, the one
    that does best on ``tie_rows`` under the same bound."""
    def rates(rs, ls, t):
        n_ans = sum(ls) or 1
        n_un = (len(ls) - sum(ls)) or 1
        fr = sum(1 for r, y in zip(rs, ls) if y and model.prob(r) < t) / n_ans
        refused = sum(1 for r, y in zip(rs, ls) if not y and model.prob(r) < t) / n_un
        return fr, refused

    candidates = sorted({model.prob(r) for r in [*rows, *tie_rows]} | {0.0})
    best, best_key = 0.0, None
    for t in candidates:
        fr, refused = rates(rows, labels, t)
        if fr > max_false_refusals:
            continue
        tfr, trefused = rates(tie_rows, tie_labels, t) if tie_rows else (0.0, 0.0)
        key = (refused, trefused if tfr <= max_false_refusals else -1.0)
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def reliability(model: LogisticModel, rows, labels, bins=(0.0, 0.2, 0.4, 0.6, 0.8, 1.01)) -> list[tuple[str, int, float | None, float | None]]:
    out = []
    for lo, hi in zip(bins, bins[1:]):
        sel = [(model.prob(r), y) for r, y in zip(rows, labels) if lo <= model.prob(r) < hi]
        mean_p = sum(p for p, _ in sel) / len(sel) if sel else None
        share = sum(y for _, y in sel) / len(sel) if sel else None
        out.append((f"{lo:.1f}–{min(hi, 1.0):.1f}", len(sel), mean_p, share))
    return out


def gate_scores(model: LogisticModel, rows, labels) -> dict:
    n_ans = sum(labels) or 1
    n_un = (len(labels) - sum(labels)) or 1
    return {
        "refused_unanswerable": round(sum(1 for r, y in zip(rows, labels) if not y and model.prob(r) < model.threshold) / n_un, 3),
        "refused_answerable": round(sum(1 for r, y in zip(rows, labels) if y and model.prob(r) < model.threshold) / n_ans, 3),
        "n_answerable": sum(labels), "n_unanswerable": len(labels) - sum(labels),
    }


def router_params(answerer, data) -> dict[str, float]:
    """Thresholds of the router: the scope probability above which a message is declined (and a
    clause of a message set aside), chosen to decline the most out-of-scope requests while
    declining at most one in a hundred of the other questions — judged by what the router does at
    each threshold (a question with a request beside it is answered on its question, not
    declined); and the similarity above which a question about a document's status is answered
    from the catalog."""
    router = answerer.router
    rows, read = [], []
    for q, _ in data:
        rq = answerer.reader.read(q["question"])
        _, domain, fact = router._classify(rq)
        f = fact.sim if fact and fact.entry.data.field == "status" else 0.0
        rows.append((expectation(q) == "decline", f, domain.sim if domain else 0.0, q.get("type") == "document_facts"))
        read.append(rq)
    others = sum(1 for r in rows if not r[0]) or 1
    best = (0, 0.5)
    saved = (router.scope_min, router.clause_min)
    try:
        for t in [0.3 + 0.02 * i for i in range(35)]:
            router.scope_min = router.clause_min = t
            declined = [router.route(rq).kind == "decline" for rq in read]
            wrong = sum(1 for r, d in zip(rows, declined) if d and not r[0])
            good = sum(1 for r, d in zip(rows, declined) if d and r[0])
            if wrong / others <= 0.01 and good > best[0]:
                best = (good, t)
    finally:
        router.scope_min, router.clause_min = saved
    fbest = None
    for fmin in [0.82 + 0.01 * i for i in range(14)]:
        for margin in [-0.02, -0.01, 0.0, 0.01, 0.02, 0.03]:
            routed = [(f >= fmin and f >= dom + margin) for _, f, dom, _ in rows]
            good = sum(1 for r, y in zip(rows, routed) if y and r[3])
            wrong = sum(1 for r, y in zip(rows, routed) if y and not r[3])
            key = (-wrong, good)
            if fbest is None or key > fbest[0]:
                fbest = (key, fmin, margin)
    return {"scope_min": round(best[1], 3), "clause_min": round(best[1], 3),
            "fact_min": round(fbest[1], 3), "fact_margin": fbest[2]}


def calibrate(assistant, dev_questions: Path, dev_dialogs: Path | None, checks: list[tuple[Path, Path | None]],
              max_false_refusals: float = 0.03, write: bool = True, router_only: bool = False) -> str:
    """Fit the router thresholds, the span model and the gate (``router_only``: the router's
    thresholds alone, the fitted span model and gate kept as they are in models.json)."""
    answerer = assistant.answerer
    lines = []
    dev = items(dev_questions, dev_dialogs, answerer)
    params = router_params(answerer, dev)
    answerer.router.__init__(answerer.retriever, params)
    lines.append(f"router: {params}")
    if router_only:
        if write:
            models = json.loads(MODELS.read_text(encoding="utf-8"))
            models["router"] = {"weights": params, "intercept": 0.0}
            MODELS.write_text(json.dumps(models, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            lines.append(f"written {MODELS} (router thresholds only)")
        return "\n".join(lines)
    samples = bank_samples(answerer.retriever.bank)
    rows, labels, groups = unit_rows(answerer, dev)
    brows, blabels, bgroups = bank_unit_rows(answerer, samples)
    train = [([rows[i] for i in idx], [labels[i] for i in idx]) for _, idx in groups] * DEV_WEIGHT
    train += [([brows[i] for i in idx], [blabels[i] for i in idx]) for _, idx in bgroups]
    units = LogisticModel.fit_ranking(train, FEATURES)
    lines.append(f"span model: {len(groups)} development questions (x{DEV_WEIGHT}) and {len(bgroups)} bank questions; "
                 f"lead holds evidence on dev {top1(units, rows, labels, groups)} (before: {top1(answerer.scorer.model, rows, labels, groups)}), "
                 f"on the bank's own questions {top1(units, brows, blabels, bgroups)}")
    answerer.scorer.model = units
    grows, glabels = gate_rows(answerer, dev)
    bgrows, bglabels = bank_gate_rows(answerer, samples)
    gate = LogisticModel.fit(grows * DEV_WEIGHT + bgrows, glabels * DEV_WEIGHT + bglabels, GATE_FEATURES, C=0.5)
    gate.threshold = choose_threshold(gate, grows, glabels, max_false_refusals, bgrows, bglabels)
    answerer.gate.model = gate
    lines.append(f"gate: {len(grows)} development and {len(bgrows)} bank questions ({len(bglabels) - sum(bglabels)} not answered), "
                 f"threshold {gate.threshold:.3f} (chosen on the development questions, ties broken on the bank's); dev {gate_scores(gate, grows, glabels)}; "
                 f"bank {gate_scores(gate, bgrows, bglabels)}")
    lines.append("gate reliability on dev (bin, n, mean predicted, observed answerable share):")
    for b, n, mp, share in reliability(gate, grows, glabels):
        lines.append(f"   {b}  n={n:>3}  predicted {mp if mp is None else round(mp, 2)}  observed {share if share is None else round(share, 2)}")
    for qpath, dpath in checks:
        data = items(qpath, dpath, answerer)
        r, l, g = unit_rows(answerer, data)
        gr, gl = gate_rows(answerer, data)
        lines.append(f"check {qpath.name}{' + ' + dpath.name if dpath else ''}: lead holds evidence {top1(units, r, l, g)}; "
                     f"gate {gate_scores(gate, gr, gl)}")
        for b, n, mp, share in reliability(gate, gr, gl):
            lines.append(f"   {b}  n={n:>3}  predicted {mp if mp is None else round(mp, 2)}  observed {share if share is None else round(share, 2)}")
    if write:
        MODELS.write_text(json.dumps({
            "_about": "Fit by `python -m assistant eval calibrate` on eval/questions.jsonl and eval/dialogs.jsonl; see eval/REPORT.md.",
            "units": units.to_json(), "gate": gate.to_json(),
            "router": {"weights": params, "intercept": 0.0},
        }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        lines.append(f"written {MODELS}")
    return "\n".join(lines)
