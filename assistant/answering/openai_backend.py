"""Answers written by any OpenAI-compatible chat endpoint (vLLM, Ollama, DeepSeek, Qwen/DashScope …).

``OpenAIGenerator`` sends the numbered passages and the question with the template
prompts/answer.<lang>.md through ``langchain_openai.ChatOpenAI`` (base URL, model, key, timeout and
temperature from ``AnswerSettings``; ``max_retries=0`` so that a model that is down or slow
fails fast and the chain falls back to the extractive answer instead of waiting through retries).
``generate`` returns the whole reply; ``stream`` yields it in pieces as the endpoint sends them.

It only talks to the model. Mapping the model's [n] markers to passages and checking them
(markers, numbers, articles, quotes) is ``citations.verify_draft`` and the chain's job.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.settings import AnswerSettings
from assistant.types import Passage

from .citations import Namer
from .prompts import Prompts


def format_passages(passages: list[Passage], namer: Namer) -> str:
    return "\n\n".join(f"[{i}] {namer.name(p, 'zh')}\n{p.text.strip()}" for i, p in enumerate(passages, 1))


class OpenAIGenerator:
    name = "openai"

    def __init__(self, settings: AnswerSettings, prompts: Prompts, namer: Namer | None = None):
        if not settings.base_url:
            raise ValueError("QSL_ANSWER__BASE_URL must name the OpenAI-compatible endpoint (…/v1) for backend=openai")
        self.settings = settings
        self.prompts = prompts
        self.namer = namer or Namer(None)
        self._llm = None

    @property
    def llm(self):
        if self._llm is None:
            from langchain_openai import ChatOpenAI  # heavy import, only for this backend

            self._llm = ChatOpenAI(
                model=self.settings.model,
                base_url=self.settings.base_url,
                api_key=self.settings.api_key,
                timeout=self.settings.timeout_s,
                max_retries=0,
                temperature=self.settings.temperature,
            )
        return self._llm

    def messages(self, question: str, passages: list[Passage], lang: str):
        from langchain_core.messages import HumanMessage, SystemMessage

        system, user = self.prompts.render("answer", lang, question=question, passages=format_passages(passages, self.namer))
        return [SystemMessage(system), HumanMessage(user)]

    def generate(self, question: str, passages: list[Passage], lang: str) -> str:
        out = self.llm.invoke(self.messages(question, passages, lang))
        return out.content if isinstance(out.content, str) else str(out.content)

    def stream(self, question: str, passages: list[Passage], lang: str) -> Iterator[str]:
        for chunk in self.llm.stream(self.messages(question, passages, lang)):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                yield text
