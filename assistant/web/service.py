"""What every web surface does around the assistant: ask (streamed or not) and log the exchange.

The chat UI, the widget page and the REST API all answer through ``WebService`` so that each
answered question lands in the question log once, with the channel it came from and its latency,
and gets the id that feedback refers to.

Not handled here: rendering (``render``), HTTP details (``api``), the Gradio layout (``ui``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError
from assistant.types import Answer
from assistant.web.store import Channel, FeedbackStore

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger(__name__)

MAX_HISTORY_MESSAGES = 20  # enough context for follow-ups; older turns only slow retrieval down


@dataclass(frozen=True)
class Answered:
    """The final answer of an exchange and its id in the question log."""

    answer: Answer
    question_id: int


def clean_history(history: Sequence[Any] | None) -> list[dict[str, str]]:
    """The chat history as the assistant wants it: ``{"role", "content"}`` dicts with text content,
    user and assistant turns only, the most recent ``MAX_HISTORY_MESSAGES``."""
    out: list[dict[str, str]] = []
    for m in history or []:
        role = m.get("role") if isinstance(m, dict) else getattr(m, "role", None)
        content = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            out.append({"role": role, "content": content})
    return out[-MAX_HISTORY_MESSAGES:]


class WebService:
    def __init__(self, assistant: Assistant, store: FeedbackStore):
        self.assistant = assistant
        self.store = store

    def ask(self, question: str, history: Sequence[Any] | None, channel: Channel) -> Answered:
        t0 = time.perf_counter()
        answer = self.assistant.ask(_checked(question), clean_history(history))
        return self._log(question, answer, channel, t0)

    def ask_stream(self, question: str, history: Sequence[Any] | None, channel: Channel) -> Iterator[str | Answered]:
        """Text deltas, then one ``Answered``. Raises ``InputError`` at the first ``next()`` for bad input."""
        question = _checked(question)
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

    def check_eligibility(self, subject: Any, lang: str) -> Any:
        """The eligibility report for a profile (form, API) or free text. A report read from text
        is in the text's language; a profile's report is in the interface language ``lang``."""
        report = self.assistant.check_eligibility(subject)
        if not isinstance(subject, str) and getattr(report, "language", lang) != lang:
            # The evaluation is pure and cheap: evaluate the same profile again in ``lang``.
            from assistant.eligibility import check

            report = check(report.profile, lang=lang)
        return report

    def _log(self, question: str, answer: Answer, channel: Channel, t0: float) -> Answered:
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


def _checked(question: str) -> str:
    # The assistant validates too; this gives the same message before any work starts, so a
    # stream can be refused with a 4xx instead of breaking off after its headers were sent.
    if not isinstance(question, str) or not question.strip():
        raise InputError("请输入问题。 Please type a question.")
    return question.strip()
