"""What every web surface does around the assistant: admit, ask (streamed or not) and log.

The chat UI, the widget page and the REST API all answer through ``WebService`` so that each
answered question lands in the question log once, with the channel it came from and its latency,
and gets the id that feedback refers to. Before any work, a request is counted against its
client's rate limit (``ratelimit``), and its text is cleaned (``inputs.clean_text``) and checked
against the one question length of the settings.

Answers are computed in worker threads, at most ``Settings.limits.answer_concurrency`` at once
per process (``run`` / ``stream``); requests beyond that wait without holding a thread, and past
``answer_queue`` waiting ones a request gets 503 at once. So a flood of questions cannot starve
the health checks, the static pages or the console.

Not handled here: rendering (``render``), HTTP details (``api``), the Gradio layout (``ui``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from assistant.errors import InputError, ServiceUnavailable
from assistant.settings import Settings
from assistant.types import Answer
from assistant.web import metrics
from assistant.web.inputs import clean_text
from assistant.web.ratelimit import RateLimiter
from assistant.web.store import Channel

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.web.store import FeedbackStore

log = logging.getLogger(__name__)

MAX_HISTORY_MESSAGES = 20  # enough context for follow-ups; older turns only slow retrieval down
T = TypeVar("T")


@dataclass(frozen=True)
class Answered:
    """The final answer of an exchange and its id in the question log."""

    answer: Answer
    question_id: int


MAX_HISTORY_CITATIONS = 20


def _field(m: Any, name: str) -> Any:
    return m.get(name) if isinstance(m, dict) else getattr(m, name, None)


def _history_citations(raw: Any) -> list[dict[str, str]]:
    """An assistant message's citations as sent back by a client: doc id, locator and quote
    strings only (the follow-up rules look each one up in the documents; one that is not there
    is ignored, so a citation typed by hand can point at nothing the documents do not hold)."""
    out = []
    for c in raw if isinstance(raw, list) else []:
        c = c if isinstance(c, dict) else (c.model_dump() if hasattr(c, "model_dump") else {})
        entry = {k: clean_text(c[k]) for k in ("doc_id", "locator", "quote") if isinstance(c.get(k), str)}
        if entry.get("doc_id") and entry.get("locator"):
            out.append(entry)
    return out[:MAX_HISTORY_CITATIONS]


def clean_history(history: Sequence[Any] | None) -> list[dict[str, Any]]:
    """The chat history as the assistant wants it: ``{"role", "content"}`` dicts with text content,
    user and assistant turns only, the most recent ``MAX_HISTORY_MESSAGES``; an assistant turn
    keeps the question it answered and its citations (``Answer.history_entry``)."""
    out: list[dict[str, Any]] = []
    for m in history or []:
        role, content = _field(m, "role"), _field(m, "content")
        if role in ("user", "assistant") and isinstance(content, str):
            content = clean_text(content)
            if not content.strip():
                continue
            entry: dict[str, Any] = {"role": role, "content": content}
            if role == "assistant":
                question = _field(m, "question")
                if isinstance(question, str) and question.strip():
                    entry["question"] = clean_text(question)
                citations = _history_citations(_field(m, "citations"))
                if citations:
                    entry["citations"] = citations
            out.append(entry)
    return out[-MAX_HISTORY_MESSAGES:]


class WebService:
    def __init__(self, assistant: Assistant, store: FeedbackStore, settings: Settings | None = None,
                 limiter: RateLimiter | None = None):
        settings = settings or assistant.settings
        self.assistant = assistant
        self.store = store
        self.settings = settings
        self.limiter = limiter or RateLimiter(settings.rate_limits)
        self.max_question_chars = settings.retrieval.max_query_chars
        self._slots = anyio.CapacityLimiter(settings.limits.answer_concurrency)
        self._admitted = 0
        self._max_admitted = settings.limits.answer_concurrency + settings.limits.answer_queue

    # -- admission ----------------------------------------------------------------------------
    def admit(self, scope: str, client: str | None) -> None:
        """Count one request of ``client`` against the ``scope`` rate limit (429 past it)."""
        self.limiter.hit(scope, client)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread once an answer slot is free (503 when too many wait)."""
        if self._admitted >= self._max_admitted:
            metrics.refused("busy")
            raise ServiceUnavailable("busy", "The service is busy; please retry in a moment. 当前咨询人数较多，请稍后重试。",
                                     retry_after=2)
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(partial(fn, *args), limiter=self._slots)
        finally:
            self._admitted -= 1

    async def stream(self, items: Iterator[T]) -> AsyncIterator[T]:
        """The items of a blocking iterator, each produced in a worker thread under the slots."""
        done = object()
        while True:
            item = await anyio.to_thread.run_sync(next, items, done, limiter=self._slots)
            if item is done:
                return
            yield item

    # -- answers ------------------------------------------------------------------------------
    def checked(self, question: Any) -> str:
        """The question cleaned and checked, or ``InputError`` with the message for the person.

        The assistant checks too; this gives the same message before any work starts, so a
        stream can be refused with a 4xx instead of breaking off after its headers were sent."""
        if not isinstance(question, str):
            raise InputError("请输入问题。 Please type a question.")
        question = clean_text(question).strip()
        if not question:
            raise InputError("请输入问题。 Please type a question.")
        return self.assistant.retriever.check_query(question)

    def ask(self, question: str, history: Sequence[Any] | None, channel: Channel) -> Answered:
        question = self.checked(question)
        t0 = time.perf_counter()
        answer = self.assistant.ask(question, clean_history(history))
        return self._log(question, answer, channel, t0)

    def ask_stream(self, question: str, history: Sequence[Any] | None, channel: Channel) -> Iterator[str | Answered]:
        """Text deltas, then one ``Answered``. Raises ``InputError`` at the first ``next()`` for bad input."""
        question = self.checked(question)
        t0 = time.perf_counter()
        final: Answer | None = None
        for item in self.assistant.ask_stream(question, clean_history(history)):
            if isinstance(item, Answer):
                final = item
            elif item:
                yield item
        if final is None:  # the stream contract says the Answer comes last; never leave a caller hanging
            raise RuntimeError("the answer stream ended without an answer")
        yield self._log(question, final, channel, t0)

    def search(self, query: str, k: int, doc_ids: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None):
        return self.assistant.search(self.checked(query), k, doc_ids=doc_ids, statuses=statuses)

    def check_eligibility(self, subject: Any, lang: str) -> Any:
        """The eligibility report for a profile (form, API) or free text. A report read from text
        is in the text's language; a profile's report is in the interface language ``lang``."""
        if isinstance(subject, str):
            subject = self.checked(subject)
        report = self.assistant.check_eligibility(subject)
        if not isinstance(subject, str) and getattr(report, "language", lang) != lang:
            # The evaluation is pure and cheap: evaluate the same profile again in ``lang``.
            from assistant.eligibility import check

            report = check(report.profile, lang=lang)
        return report

    def _log(self, question: str, answer: Answer, channel: Channel, t0: float) -> Answered:
        metrics.answered(answer.backend, answer.refused, bool(answer.fallback_reason), answer.declined)
        qid = self.store.log_question(
            channel=channel,
            question=question,
            answer=answer.text,
            refused=answer.refused,
            language=answer.language,
            backend=answer.backend,
            citations=[f"{c.doc_title} {c.locator}" for c in answer.citations],
            latency_ms=int((time.perf_counter() - t0) * 1000),
        )
        return Answered(answer, qid)
