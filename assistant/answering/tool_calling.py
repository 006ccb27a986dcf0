"""The eligibility check through tool calling, for the ``openai`` answer backend.

``ToolCallingEligibility.report(question, history)`` sends the conversation to the chat model with
``check_lab_eligibility`` bound (``ChatOpenAI.bind_tools``) and the system prompt
prompts/eligibility_tool.<lang>.md. The model only decides WHETHER the user gave its lab's figures
and reads them into the tool's arguments (canonical units: m², 万元, counts); the arguments are
then validated against the tool's own schema (``EligibilityArgs``) and the figures are compared
with 第十二条 here, in code (``eligibility.check``), never by the model.

- Figures of earlier user messages (read by the extractor, as the extractive path does) are the
  base; what the model passes overrides them (a correction such as 设备其实是5200万).
- No tool call: no report.
- The model down, slow, erroring, calling an unknown tool, or passing arguments that are not JSON
  or break the schema: the extractor path (``fallback``) decides instead, and the reason is
  returned (the facade puts it in ``Answer.fallback_reason``) and logged.

It does not render or attach the report (the facade's ``_with_report`` does) and it does not send
the tool's result back to the model for a second turn: the answer text comes from the answer chain.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from pydantic import ValidationError

from assistant.settings import Settings

from .prompts import Prompts

log = logging.getLogger(__name__)

TOOL_NAME = "check_lab_eligibility"
HISTORY_TURNS = 10  # the figures of a conversation sit in its last few user messages

Fallback = Callable[[str, "list | None"], object]


class ToolCallError(Exception):
    """The model's reply cannot be used as a tool call (unknown tool, bad arguments)."""


class ToolCallingEligibility:
    def __init__(self, settings: Settings, llm=None):
        self.settings = settings
        self.prompts = Prompts(settings.prompts_dir)
        self._llm = llm

    @property
    def llm(self):
        if self._llm is None:
            from assistant.eligibility.tool import check_lab_eligibility

            from .openai_backend import OpenAIGenerator

            # Same client settings as the answer model (timeout, no retries: fail fast, fall back).
            chat = OpenAIGenerator(self.settings.answer, self.prompts).llm
            self._llm = chat.bind_tools([check_lab_eligibility])
        return self._llm

    def messages(self, question: str, history: list | None, lang: str):
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        system, user = self.prompts.render("eligibility_tool", lang, question=question)
        out = [SystemMessage(system)]
        for turn in (history or [])[-HISTORY_TURNS:]:
            text = turn.get("content") if isinstance(turn, dict) else None
            if not isinstance(text, str) or not text.strip():
                continue
            out.append(HumanMessage(text) if turn.get("role") == "user" else AIMessage(text))
        out.append(HumanMessage(user))
        return out

    def _update(self, msg):
        """The profile the model's tool calls state (None: no tool call), validated by the tool's schema."""
        from assistant.eligibility.profile import LabProfile
        from assistant.eligibility.tool import EligibilityArgs

        calls = list(getattr(msg, "tool_calls", None) or [])
        invalid = list(getattr(msg, "invalid_tool_calls", None) or [])
        if invalid:
            bad = invalid[0]
            raise ToolCallError(f"malformed tool call {bad.get('name')!r}: {str(bad.get('error') or bad.get('args'))[:150]}")
        if not calls:
            return None
        update = None
        for call in calls:
            if call.get("name") != TOOL_NAME:
                raise ToolCallError(f"unknown tool {call.get('name')!r}")
            try:
                args = EligibilityArgs.model_validate(call.get("args") or {})
            except ValidationError as exc:
                raise ToolCallError(f"invalid arguments {json.dumps(call.get('args'), ensure_ascii=False)[:150]}: "
                                    f"{exc.error_count()} error(s), first: {exc.errors()[0]['msg']}") from None
            # The same mapping as the tool's own run: stated figures only, declared items as True.
            data = args.model_dump(exclude={"declared", "lang"}, exclude_none=True)
            profile = LabProfile(**data, declared={k: True for k in args.declared})
            update = update.merge(profile) if update is not None else profile
        return update

    def report(self, question: str, history: list | None, fallback: Fallback):
        """(report or None, fallback reason or None) for this message."""
        from assistant import eligibility

        if not isinstance(question, str) or not question.strip():
            return None, None  # the answer chain gives the clear error
        lang = eligibility.detect_language(question)
        try:
            msg = self.llm.invoke(self.messages(question, history, lang))
            update = self._update(msg)
        except Exception as exc:  # down, refused, HTTP error, timeout, bad call: the extractor decides
            kind = "" if isinstance(exc, ToolCallError) else f"model unavailable: {type(exc).__name__}: "
            reason = " ".join(f"eligibility tool call failed, extractor used ({kind}{exc})".split())[:300]
            log.warning(reason)
            return fallback(question, history), reason
        if update is None:
            return None, None
        base = eligibility.history_profile(history)
        merged = base.merge(update) if base is not None else update
        if not merged.has_figures():
            # Called without any figure, none from earlier turns either: nothing to compare.
            return None, None
        return eligibility.check(update, base=base, lang=lang), None


__all__ = ["ToolCallingEligibility", "ToolCallError", "TOOL_NAME"]
