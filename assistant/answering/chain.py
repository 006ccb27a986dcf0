"""The answer chain, one path for every message:

resolve → read → route → retrieve → select → gate → generate → finish.

Built from LangChain Runnables (``RunnableLambda`` steps composed with ``|``), each taking and
returning a ``Turn``, so one question can be followed through the code:

1. resolve: a follow-up is made self-contained against the previous question and the previous
   answer's citations and items (``followup.py``; with an LLM configured the model may rewrite it);
2. read: the one analysis of the question (``assistant.question.Question``);
3. route: a request to decline, a question about a document itself, or a question about the
   documents; injected instructions are set aside (``scope.py``);
4. retrieve: passages and matched bank entries (``assistant.retrieval``);
5. select: the spans to quote and the direct answer (``compose.Composer.select``, ``spans.py``);
6. gate: P(answerable) from calibrated features (``gate.py``); below its threshold, a refusal that
   quotes the nearest text and points to who can answer;
7. generate: the extractive answer (default), or a chat model's answer whose markers, numbers and
   quotes are verified against the passages (``openai`` backend; any failure falls back to the
   extractive answer and says why in ``fallback_reason``);
8. finish: the standalone question, and the eligibility hook for messages with lab figures.

``Answerer.ask_stream`` yields text deltas, then the final ``Answer``, which is authoritative.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.errors import InputError
from assistant.numbers import calendar_year, quantities
from assistant.question import Question, QuestionReader
from assistant.retrieval import HybridRetriever, Retrieval, own_first
from assistant.sentences import split_units
from assistant.settings import Settings
from assistant.types import Answer, Citation

from .citations import make_citation, verify_draft
from .compose import Composer, Quote, Selection
from .followup import FollowUps, LLMRewriter, Resolved
from .gate import Gate, GateDecision, UnansweredModel
from .prompts import Prompts
from .scope import Route, Router
from .spans import UnitScorer, load_models

log = logging.getLogger(__name__)

Eligibility = Callable[[str], "dict | None"]
# The asker speaks of their own organisation: a figure they state is theirs, not a claim about the rules.
_OWN = re.compile(r"我们|我单位|我院|我校|我所|我司|本单位|咱们|我们的|\bour\b|\bwe\b|\bus\b|\bmy\b", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Turn:
    """What flows through the chain for one message."""

    message: str
    history: list | None = None
    exclude: frozenset[str] = frozenset()  # bank questions to leave out (calibration asks the bank its own questions)
    resolved: Resolved | None = None
    question: Question | None = None
    route: Route | None = None
    retrieval: Retrieval | None = None
    parts: list[Question] = field(default_factory=list)
    part_hits: list[list] = field(default_factory=list)
    selection: Selection | None = None
    decision: GateDecision | None = None
    answer: Answer | None = None


class Generator(Protocol):
    name: str

    def answer(self, t: Turn, fallback: Callable[[], Answer]) -> Answer: ...

    def stream(self, t: Turn, fallback: Callable[[], Answer]) -> Iterator[str | Answer]: ...


def _pieces(text: str) -> Iterator[str]:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        yield line + ("\n" if i < len(lines) - 1 else "")


class ExtractiveBackend:
    name = "extractive"

    def answer(self, t: Turn, fallback: Callable[[], Answer]) -> Answer:
        return fallback()

    def stream(self, t: Turn, fallback: Callable[[], Answer]) -> Iterator[str | Answer]:
        ans = fallback()
        yield from _pieces(ans.text)
        yield ans


_CN_QUOTE = re.compile(r"“([^”]{2,400})”")


class VerifiedModelGenerator:
    """A chat model's answer, kept only when its citations check out; else the extractive one."""

    name = "openai"

    def __init__(self, model, scorer: UnitScorer):
        self.model = model
        self.scorer = scorer

    def _fallback(self, fallback: Callable[[], Answer], reason: str) -> Answer:
        log.info("model answer rejected: %s", reason)
        return fallback().model_copy(update={"backend": "extractive", "fallback_reason": reason})

    def _accept(self, t: Turn, text: str, fallback: Callable[[], Answer]) -> Answer:
        from assistant.bank import find_span

        passages = t.retrieval.passages
        v = verify_draft(text, passages)
        if not v.ok:
            return self._fallback(fallback, v.reason or "verification failed")
        cited = {n: passages[n - 1] for n in v.cited}
        citations: list[Citation] = []
        quoted: set[int] = set()
        for m in _CN_QUOTE.finditer(text):
            q = m.group(1)
            if len(_HAN.findall(q)) < 4:
                continue
            hit = next(((n, p, span) for n, p in cited.items() if (span := find_span(p.text, q))), None)
            if hit is None:
                return self._fallback(fallback, f"quote “{q[:30]}” is in no cited passage")
            n, p, (s, e) = hit
            citations.append(make_citation(p, p.text[s:e], n))
            quoted.add(n)
        best = {c.passage: c for c in reversed(self.scorer.candidates(t.retrieval, t.question))}
        for n, p in cited.items():
            if n in quoted:
                continue
            # No verbatim quote from this passage in the text: cite its unit closest to the question.
            c = best.get(n - 1)
            citations.append(make_citation(p, c.text if c else p.text, n))
        citations.sort(key=lambda c: c.marker or 0)
        return Answer(text=text.strip(), citations=citations, language=t.question.language, backend=self.name)

    def answer(self, t: Turn, fallback: Callable[[], Answer]) -> Answer:
        try:
            text = self.model.generate(t.question.text, t.retrieval.passages, t.question.language)
        except Exception as exc:  # down, refused connection, HTTP error, timeout: all mean fall back
            return self._fallback(fallback, f"model unavailable: {type(exc).__name__}: {exc}"[:300])
        return self._accept(t, text, fallback)

    def stream(self, t: Turn, fallback: Callable[[], Answer]) -> Iterator[str | Answer]:
        parts: list[str] = []
        try:
            for delta in self.model.stream(t.question.text, t.retrieval.passages, t.question.language):
                parts.append(delta)
                yield delta
        except Exception as exc:
            yield self._fallback(fallback, f"model unavailable: {type(exc).__name__}: {exc}"[:300])
            return
        yield self._accept(t, "".join(parts), fallback)


class Answerer:
    """``ask`` / ``ask_stream`` for one message and its history; built by ``build_answerer``."""

    def __init__(self, retriever: HybridRetriever, followups: FollowUps | LLMRewriter, router: Router,
                 scorer: UnitScorer, gate: Gate, composer: Composer, generator: Generator, k: int = 6,
                 max_chars: int = 2000, eligibility: Eligibility | None = None):
        from langchain_core.runnables import RunnableLambda

        self.retriever = retriever
        self.reader: QuestionReader = retriever.reader
        self.followups = followups
        self.router = router
        self.scorer = scorer
        self.gate = gate
        self.composer = composer
        self.generator = generator
        self.k = k
        self.max_chars = max_chars
        self.eligibility = eligibility
        self.prepare = (
            RunnableLambda(self._resolve, name="resolve")
            | RunnableLambda(self._read, name="read")
            | RunnableLambda(self._route, name="route")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._select, name="select")
            | RunnableLambda(self._gate, name="gate")
        )
        self.chain = self.prepare | RunnableLambda(self._generate, name="generate") | RunnableLambda(self._finish, name="finish")

    def with_retriever(self, retriever: HybridRetriever) -> Answerer:
        """This answerer over ``retriever`` (the same documents with a changed question bank: a
        curated answer saved). Its fitted parts are kept: the span model and the gate's weights do
        not depend on the bank's rows, and the priors fit on the bank's questions (not answered,
        out of scope) change little with a few entries more; they are fit again on the next full
        reload. The router looks up bank questions through the new retriever."""
        import copy

        router = copy.copy(self.router)
        router.retriever = retriever
        return Answerer(retriever, self.followups, router, self.scorer, self.gate, self.composer, self.generator,
                        k=self.k, max_chars=self.max_chars, eligibility=self.eligibility)

    # -- steps -----------------------------------------------------------------------------------
    def _resolve(self, t: Turn) -> Turn:
        t.resolved = self.followups.resolve(t.message, t.history)
        return t

    def _read(self, t: Turn) -> Turn:
        r = t.resolved
        t.question = self.reader.read(r.standalone, message=t.message, focus_text=r.focus if r.follow_up else None)
        t.question.exclude = t.exclude
        return t

    def _route(self, t: Turn) -> Turn:
        t.route = self.router.route(t.question)
        if t.route.kind == "answer" and t.route.ignored:
            t.question = self.reader.read(t.route.text, message=t.message)
        return t

    def _retrieve(self, t: Turn) -> Turn:
        if t.route.kind != "answer":
            return t
        q = t.question
        targets = [p.chunk_id for p in t.resolved.targets]
        r = t.resolved
        ellipsis = r.follow_up and r.method == "context" and r.focus and r.focus != r.standalone
        t.retrieval = self.retriever.retrieve(q, self.k, focus=r.focus if ellipsis else None)
        if t.resolved.targets:
            # The item of the previous answer the message points at comes first.
            have = {p.chunk_id for p in t.retrieval.passages}
            extra = [p for p in t.resolved.targets if p.chunk_id not in have]
            ordered = [p for p in t.retrieval.passages if p.chunk_id in targets]
            rest = [p for p in t.retrieval.passages if p.chunk_id not in targets]
            t.retrieval.passages = (extra + ordered + rest)[: self.k]
        if q.multi_part:
            t.parts = [self.reader.read(p) for p in q.parts]
            if q.compared:  # each part is one side of a comparison: its document's name says which
                for p in t.parts:
                    p.search_text = ""
            # A part is matched against the bank with the whole question behind it (能延期吗 alone
            # says little of what is to be extended).
            t.part_hits = [self.retriever.bank_hits(p, vector=own_first(p.vector, q.vector)) for p in t.parts]
        return t

    def _select(self, t: Turn) -> Turn:
        if t.route.kind != "answer":
            return t
        targets = {p.chunk_id for p in t.resolved.targets}
        t.selection = self.composer.select(t.question, t.retrieval, self.scorer, targets,
                                           list(zip(t.parts, t.part_hits)))
        return t

    def _gate(self, t: Turn) -> Turn:
        if t.route.kind != "answer":
            return t
        sel = t.selection
        if sel is None:
            t.decision = GateDecision(True, 0.0, "nothing retrieved")
            return t
        quoted = " ".join(x.text for _, qs, _ in sel.blocks for x in qs)
        f = self.gate.features(t.question, t.retrieval, quoted, sel.lead.p)
        t.decision = self.gate.decide(f, t.question.asks)
        return t

    def _extractive(self, t: Turn) -> Answer:
        """The extractive answer of this turn: the composed answer, or the refusal."""
        if t.decision.refuse or t.selection is None:
            return self.composer.refusal(t.question, t.retrieval, t.decision.missing, self._nearest(t))
        return self.composer.answer(t.question, t.retrieval, t.selection, correction=self._corrects(t))

    def _generate(self, t: Turn) -> Turn:
        route = t.route
        if route.kind == "decline":
            t.answer = self.composer.decline(t.question, route.scope)
        elif route.kind == "fact":
            t.answer = self.composer.document_fact(t.question, route.facts)
        elif t.decision.refuse:
            t.answer = self._extractive(t)
        else:
            t.answer = self.generator.answer(t, lambda: self._extractive(t))
        return t

    def _finish(self, t: Turn) -> Answer:
        a = t.answer
        update = {"standalone_question": t.resolved.standalone, "backend": a.backend or "extractive"}
        if t.route is not None and t.route.ignored and not a.declined:
            update["text"] = a.text + ("\n(The parts of your message that are not questions about the documents were set aside.)"
                                       if a.language == "en" else "\n（消息中与政策文件无关的要求已忽略。）")
        if self.eligibility is not None:
            update["eligibility"] = self.eligibility(t.message)
        return a.model_copy(update=update)

    # -- helpers ---------------------------------------------------------------------------------
    def _nearest(self, t: Turn) -> list[Quote]:
        """What a refusal quotes as the nearest the documents say: the lead unit when it is on the
        subject, a not-answered bank entry's nearest text, and a sentence saying details come later."""
        out: list[Quote] = []
        r = t.retrieval
        if r is None or not r.passages:
            return out
        sel = t.selection
        if sel is not None and (sel.lead.features.get("cover", 0) > 0 or sel.lead.features.get("bank", 0) > 0):
            p = r.passages[sel.lead.passage]
            out.append(Quote(p, sel.lead.unit.start, sel.lead.unit.end))
        later = self.composer.catalog.referral.later
        for p in r.passages[:5]:
            for u in split_units(p.text):
                if later and later in u.text and not any(x.passage.chunk_id == p.chunk_id for x in out):
                    out.append(Quote(p, u.start, u.end))
        return out[:3]

    def _corrects(self, t: Turn) -> bool:
        """A false premise: the asker states a figure of the rules (not of their own lab) that the
        quoted text gives otherwise (专家委员会至少要30人吧？ against 不低于15人)."""
        q = t.question
        if not q.stated or _OWN.search(q.message) or t.selection is None:
            return False
        quoted = " ".join(x.text for _, qs, _ in t.selection.blocks[:1] for x in qs)
        printed = {x.base() for x in quantities(quoted)}
        units = {u for _, u in printed}
        for s in q.stated:
            if calendar_year(s):  # 2022年的指导意见 names a text, it states no figure
                continue
            v, u = s.base()
            if u and u in units and (v, u) not in printed:
                return True
        return False

    # -- API -------------------------------------------------------------------------------------
    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InputError("Please type a question. 请输入问题。")
        if len(question) > self.max_chars:
            raise InputError(f"The question is too long ({len(question)} characters; at most {self.max_chars}). 问题过长。")
        return question.strip()

    def ask(self, question: str, history: list | None = None) -> Answer:
        return self.chain.invoke(Turn(self._validate(question), history))

    def turn(self, question: str, history: list | None = None, exclude: frozenset[str] = frozenset()) -> Turn:
        """The prepared turn (everything up to the answer), for evaluation and calibration;
        ``exclude``: bank questions (``bank.question_key``) to leave out of the matching."""
        return self.prepare.invoke(Turn(self._validate(question), history, exclude))

    def ask_stream(self, question: str, history: list | None = None) -> Iterator[str | Answer]:
        t: Turn = self.prepare.invoke(Turn(self._validate(question), history))
        if t.route.kind != "answer" or t.decision.refuse:
            final = self._finish(self._generate(t))
            yield from _pieces(final.text)
            yield final
            return
        for item in self.generator.stream(t, lambda: self._extractive(t)):
            if isinstance(item, Answer):
                t.answer = item
                yield self._finish(t)
                return
            yield item


def build_answerer(settings: Settings | None, assistant, eligibility: Eligibility | None = None) -> Answerer:
    """The one place where the answer backend is chosen from ``Settings.answer.backend``."""
    settings = settings or Settings()
    knowledge = assistant.knowledge
    models = load_models()
    retriever = assistant.retriever
    scorer = UnitScorer(retriever.sentence_vectors, knowledge.catalog.operative, models.get("units"),
                        knowledge.catalog.names_only)
    gate = Gate(models.get("gate"), UnansweredModel(*retriever.bank_matrix()))
    router = Router(retriever, (models.get("router").weights if models.get("router") else None))
    composer = Composer(knowledge.catalog, knowledge.versions, assistant.sources)
    rules = FollowUps(assistant.sources, knowledge.vocabulary.domain_words, knowledge.vocabulary.glossary_en,
                     knowledge.catalog)
    match settings.answer.backend:
        case "extractive":
            generator: Generator = ExtractiveBackend()
            followups: FollowUps | LLMRewriter = rules
        case "openai":
            from .openai_backend import OpenAIGenerator

            prompts = Prompts(settings.prompts_dir)
            model = OpenAIGenerator(settings.answer, prompts, composer.namer)
            generator = VerifiedModelGenerator(model, scorer)
            followups = LLMRewriter(model.llm, prompts, rules)
        case other:
            raise ValueError(f"unknown answer backend {other!r}")
    return Answerer(retriever, followups, router, scorer, gate, composer, generator,
                    k=settings.answer.max_passages, max_chars=settings.retrieval.max_query_chars,
                    eligibility=eligibility)


__all__ = ["Answerer", "build_answerer", "Turn", "VerifiedModelGenerator", "ExtractiveBackend"]
