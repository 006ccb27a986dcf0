"""The answer chain: condense → retrieve → refusal gate → generate → verify → ``Answer``.

Built from LangChain Runnables (``RunnableLambda`` steps composed with ``|``), each step taking and
returning a ``Turn`` so that one question can be followed through the code:

1. condense: a follow-up is made self-contained from the history (``condense.py``);
2. retrieve: ``retrieve(query, k)`` — a callable handed in (the facade's hybrid search);
3. gate: ``refusal.RefusalGate`` decides, without the model, whether the passages answer at all;
4. generate: the backend chosen in ``build_answerer`` from ``Settings.answer.backend``:
   - ``extractive`` (default): quotes the best sentences (``extractive.py``);
   - ``openai``: the chat model writes the answer with [n] markers, then ``VerifiedModelGenerator``
     maps markers to passages and checks them; a marker pointing nowhere, no marker, a number or
     article no cited passage holds, a “quote” that is not in the passage, or a model that is down,
     errors or times out, all give the extractive answer instead, with ``fallback_reason`` saying why;
5. eligibility: a hook the facade may pass (``eligibility(message) -> dict | None``) that fills
   ``Answer.eligibility`` when the message carries lab figures.

``Answerer.ask_stream`` yields text deltas, then the final ``Answer``. The final Answer is
authoritative: when a streamed model answer fails verification, the final Answer carries the
extractive text (``backend="extractive"``, ``fallback_reason`` set) and the caller shows that.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from assistant.errors import InputError
from assistant.settings import Settings
from assistant.types import Answer, Citation, ParsedDocument, Passage

from .citations import make_citation, verify_draft
from .condense import Condensed, Condenser, LLMCondenser, RuleCondenser
from .extractive import ExtractiveGenerator, score_units
from .lexicon import Lexicon
from .prompts import Prompts
from .question import QuestionAnalysis, analyse
from .refusal import GateDecision, RefusalGate
from assistant.corpus.sources import Sources

log = logging.getLogger(__name__)

Retrieve = Callable[[str, int], list[Passage]]
Eligibility = Callable[[str], "dict | None"]


@dataclass
class Turn:
    """What flows through the chain for one message."""

    question: str
    history: list | None = None
    condensed: Condensed | None = None
    analysis: QuestionAnalysis | None = None
    passages: list[Passage] = field(default_factory=list)
    decision: GateDecision | None = None
    answer: Answer | None = None


class Generator(Protocol):
    """An answer generator: the extractive composer or a verified chat model."""

    name: str

    def answer(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer: ...

    def stream(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Iterator[str | Answer]: ...


class ExtractiveBackend:
    """The extractive composer as a ``Generator`` (streams its text in a few pieces)."""

    name = "extractive"

    def __init__(self, composer: ExtractiveGenerator):
        self.composer = composer

    def answer(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        return self.composer.answer(analysis, passages)

    def stream(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Iterator[str | Answer]:
        ans = self.answer(analysis, passages)
        yield from _pieces(ans.text)
        yield ans


def _pieces(text: str) -> Iterator[str]:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        yield line + ("\n" if i < len(lines) - 1 else "")


# -- the model path -------------------------------------------------------------------------------
_CN_QUOTE = re.compile(r"“([^”]{2,400})”")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """(start, end) of ``needle`` in ``haystack`` ignoring whitespace, as offsets into ``haystack``."""
    idx = [i for i, ch in enumerate(haystack) if not ch.isspace()]
    flat = "".join(haystack[i] for i in idx)
    n = "".join(needle.split())
    if not n:
        return None
    pos = flat.find(n)
    if pos < 0:
        return None
    return idx[pos], idx[pos + len(n) - 1] + 1


class VerifiedModelGenerator:
    """A chat model's answer, kept only when its citations check out; else the extractive one."""

    name = "openai"

    def __init__(self, model, fallback: ExtractiveGenerator):
        self.model = model
        self.fallback = fallback

    def _fallback(self, analysis: QuestionAnalysis, passages: list[Passage], reason: str) -> Answer:
        log.info("model answer rejected: %s", reason)
        ans = self.fallback.answer(analysis, passages)
        return ans.model_copy(update={"backend": "extractive", "fallback_reason": reason})

    def _accept(self, analysis: QuestionAnalysis, passages: list[Passage], text: str) -> Answer:
        """Verify a model answer and turn its markers into citations, or fall back."""
        v = verify_draft(text, passages)
        if not v.ok:
            return self._fallback(analysis, passages, v.reason or "verification failed")
        citations: list[Citation] = []
        cited = {n: passages[n - 1] for n in v.cited}
        quoted: set[int] = set()
        for m in _CN_QUOTE.finditer(text):
            q = m.group(1)
            if len(_HAN.findall(q)) < 4:
                continue
            hit = None
            for n, p in cited.items():
                span = find_span(p.text, q)
                if span:
                    hit = (n, p, span)
                    break
            if hit is None:
                return self._fallback(analysis, passages, f"quote “{q[:30]}” is in no cited passage")
            n, p, (s, e) = hit
            citations.append(make_citation(p, p.text[s:e], n))
            quoted.add(n)
        for n, p in cited.items():
            if n in quoted:
                continue
            # No verbatim quote from this passage in the text: cite its sentence closest to the question.
            units = [s for s in score_units(analysis, [p])]
            u = units[0].unit if units else None
            citations.append(make_citation(p, p.text[u.start:u.end] if u else p.text, n))
        citations.sort(key=lambda c: c.marker or 0)
        return Answer(text=text.strip(), citations=citations, language=analysis.language, backend=self.name)

    def answer(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        try:
            text = self.model.generate(analysis.text, passages, analysis.language)
        except Exception as exc:  # down, refused connection, HTTP error, timeout: all mean fall back
            return self._fallback(analysis, passages, f"model unavailable: {type(exc).__name__}: {exc}"[:300])
        return self._accept(analysis, passages, text)

    def stream(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Iterator[str | Answer]:
        parts: list[str] = []
        try:
            for delta in self.model.stream(analysis.text, passages, analysis.language):
                parts.append(delta)
                yield delta
        except Exception as exc:
            yield self._fallback(analysis, passages, f"model unavailable: {type(exc).__name__}: {exc}"[:300])
            return
        yield self._accept(analysis, passages, "".join(parts))


# -- the chain ------------------------------------------------------------------------------------
class Answerer:
    """``ask`` / ``ask_stream`` over a retrieve callable; built by ``build_answerer``."""

    def __init__(
        self,
        retrieve: Retrieve,
        generator: Generator,
        condenser: Condenser,
        gate: RefusalGate,
        lexicon: Lexicon,
        k: int = 6,
        max_chars: int = 2000,
        eligibility: Eligibility | None = None,
    ):
        from langchain_core.runnables import RunnableLambda

        self.retrieve = retrieve
        self.generator = generator
        self.condenser = condenser
        self.gate = gate
        self.lexicon = lexicon
        self.k = k
        self.max_chars = max_chars
        self.eligibility = eligibility
        self.prepare = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._gate, name="gate")
        )
        self.chain = self.prepare | RunnableLambda(self._generate, name="generate") | RunnableLambda(self._finish, name="finish")

    # steps
    def _condense(self, t: Turn) -> Turn:
        t.condensed = self.condenser.condense(t.question, t.history)
        focus = t.condensed.question if t.condensed.follow_up else None
        t.analysis = analyse(t.condensed.standalone, self.lexicon, focus_text=focus)
        # A follow-up is answered in the language it was asked in.
        from .language import detect_language

        t.analysis.language = detect_language(t.question)
        return t

    def _retrieve(self, t: Turn) -> Turn:
        t.passages = list(self.retrieve(t.condensed.standalone, self.k))
        return t

    def _gate(self, t: Turn) -> Turn:
        t.decision = self.gate.decide(t.analysis, t.passages)
        return t

    def _generate(self, t: Turn) -> Turn:
        if t.decision.refuse:
            t.answer = self.gate.answer(t.analysis, t.passages, t.decision)
        else:
            t.answer = self.generator.answer(t.analysis, t.passages)
            if not t.answer.text:
                t.answer = self.gate.answer(t.analysis, t.passages, GateDecision(True, "nothing to quote", 0.0))
        return t

    def _finish(self, t: Turn) -> Answer:
        a = t.answer
        update = {"standalone_question": t.condensed.standalone}
        if self.eligibility is not None:
            # Eligibility hook (issue 4): a structured check when the message carries lab figures.
            update["eligibility"] = self.eligibility(t.question)
        return a.model_copy(update=update)

    # API
    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InputError("Please type a question. 请输入问题。")
        if len(question) > self.max_chars:
            raise InputError(f"The question is too long ({len(question)} characters; at most {self.max_chars}). 问题过长。")
        return question.strip()

    def ask(self, question: str, history: list | None = None) -> Answer:
        return self.chain.invoke(Turn(self._validate(question), history))

    def ask_stream(self, question: str, history: list | None = None) -> Iterator[str | Answer]:
        t: Turn = self.prepare.invoke(Turn(self._validate(question), history))
        if t.decision.refuse:
            final = self._finish(self._generate(t))
            yield from _pieces(final.text)
            yield final
            return
        for item in self.generator.stream(t.analysis, t.passages):
            if isinstance(item, Answer):
                t.answer = item
                if not item.text:
                    t = self._generate(t)
                yield self._finish(t)
                return
            yield item


def build_answerer(
    settings: Settings | None,
    retrieve: Retrieve,
    corpus: Mapping[str, ParsedDocument] | list[ParsedDocument] | None = None,
    eligibility: Eligibility | None = None,
) -> Answerer:
    """The one place where the answer backend is chosen from ``Settings.answer.backend``."""
    settings = settings or Settings()
    sources = Sources(corpus)
    texts = sources.texts()
    lexicon = Lexicon.from_texts(texts) if texts else Lexicon.from_corpus_dir(settings.corpus_dir)
    extractive = ExtractiveGenerator(sources)
    gate = RefusalGate(sources, lexicon)
    match settings.answer.backend:
        case "extractive":
            generator: Generator = ExtractiveBackend(extractive)
            condenser: Condenser = RuleCondenser()
        case "openai":
            from .openai_backend import OpenAIGenerator

            prompts = Prompts(settings.prompts_dir)
            model = OpenAIGenerator(settings.answer, prompts)
            generator = VerifiedModelGenerator(model, extractive)
            condenser = LLMCondenser(model.llm, prompts)
        case other:
            raise ValueError(f"unknown answer backend {other!r}")
    return Answerer(
        retrieve,
        generator,
        condenser,
        gate,
        lexicon,
        k=settings.answer.max_passages,
        max_chars=settings.retrieval.max_query_chars,
        eligibility=eligibility,
    )


__all__ = ["Answerer", "build_answerer", "Turn", "VerifiedModelGenerator", "ExtractiveBackend", "find_span"]
