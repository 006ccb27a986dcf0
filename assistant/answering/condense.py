"""Follow-up questions made self-contained from the chat history, before retrieval.

Only follow-ups are rewritten; a question that stands on its own is passed through unchanged.

``RuleCondenser`` (offline, deterministic): a message is a follow-up when there is an earlier user
question and the message leans on it — 那…呢 / …呢？ (那延期呢？), pronouns and demonstratives
(它, 这个, 该, 上述, 那), short ellipsis without a subject of its own (要多久？), or in English
"what about …", "and …?", "it/this/that/they". The standalone question is the follow-up's own words
followed by the previous question they refer to: 那延期呢？ after 建设期限是多久？ becomes
“延期（接上文：建设期限是多久？）”. Retrieval and sentence choice then see both, and the
follow-up's own words weigh double (``QuestionAnalysis.focus``).

``LLMCondenser`` asks the chat model with prompts/condense.<lang>.md and falls back to the rule
when the model fails, times out or returns something unusable.

It does not resolve references to the assistant's answers (“第二点是什么意思”), only to the
user's earlier questions.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol

from .language import detect_language

log = logging.getLogger(__name__)

_ZH_FOLLOW = re.compile(r"^(那|那么|那如果|如果是|要是|还有|另外|再问|还|同样|这个|那个|这|它|其|该|上述|前面|刚才)|呢[？?。！!]*$|它|这个|那个|这种|这些|那些|上述|上面说的|刚才说的|前面说的")
_EN_FOLLOW = re.compile(r"^(what about|how about|and\b|also\b|what if|then\b|same\b)|\b(it|its|this|that|they|them|those|these|there)\b", re.I)
_ZH_STRIP = re.compile(r"^(那么|那如果|那|还有|另外|再问一下|再问|还|同样)|呢?[？?。！!\s]*$")
_EN_STRIP = re.compile(r"^(what about|how about|and|also|then)\s+|[?.!\s]+$", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Condensed:
    question: str  # the user's message as typed
    standalone: str  # what is retrieved and answered
    follow_up: bool
    method: str = "none"  # none | rule | llm


def last_user_question(history: list | None) -> str | None:
    for turn in reversed(history or []):
        role = turn.get("role") if isinstance(turn, dict) else getattr(turn, "role", None)
        content = turn.get("content") if isinstance(turn, dict) else getattr(turn, "content", None)
        if role == "user" and isinstance(content, str) and content.strip():
            return content.strip()
    return None


def is_follow_up(question: str, history: list | None) -> bool:
    prev = last_user_question(history)
    if not prev:
        return False
    q = question.strip()
    if detect_language(q) == "en":
        return bool(_EN_FOLLOW.search(q)) or len(q.split()) <= 3
    han = len(_HAN.findall(q))
    # Very short messages (要多久？ 需要几个？) cannot stand on their own.
    return bool(_ZH_FOLLOW.search(q)) or han <= 5


class Condenser(Protocol):
    def condense(self, question: str, history: list | None) -> Condensed: ...


class RuleCondenser:
    """Deterministic rewriting of follow-ups (see module docstring)."""

    def condense(self, question: str, history: list | None) -> Condensed:
        q = question.strip()
        if not is_follow_up(q, history):
            return Condensed(q, q, False, "none")
        prev = last_user_question(history) or ""
        if detect_language(q) == "en":
            core = _EN_STRIP.sub("", q).strip() or q
            return Condensed(q, f"{core} (following up on: {prev})", True, "rule")
        core = _ZH_STRIP.sub("", q).strip() or q
        return Condensed(q, f"{core}（接上文：{prev}）", True, "rule")


class LLMCondenser:
    """Rewrites follow-ups with the chat model; the rule is the fallback."""

    def __init__(self, llm, prompts, fallback: RuleCondenser | None = None, max_chars: int = 300):
        self.llm = llm
        self.prompts = prompts
        self.fallback = fallback or RuleCondenser()
        self.max_chars = max_chars

    def condense(self, question: str, history: list | None) -> Condensed:
        q = question.strip()
        if not is_follow_up(q, history):
            return Condensed(q, q, False, "none")
        lang = detect_language(q)
        turns = "\n".join(
            f"{t.get('role')}: {t.get('content')}" for t in (history or [])[-6:] if isinstance(t, dict) and t.get("content")
        )
        try:
            from langchain_core.messages import HumanMessage, SystemMessage

            system, user = self.prompts.render("condense", lang, history=turns, question=q)
            out = self.llm.invoke([SystemMessage(system), HumanMessage(user)])
            text = (out.content if isinstance(out.content, str) else "").strip().strip("“”\"")
            if not text or len(text) > self.max_chars or "\n\n" in text:
                raise ValueError(f"unusable rewrite: {text[:60]!r}")
            return Condensed(q, text, True, "llm")
        except Exception as exc:  # the model is optional here: any failure means the rule
            log.info("condense by model failed (%s); using the rule", exc)
            return self.fallback.condense(q, history)
