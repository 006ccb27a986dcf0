"""Follow-ups made self-contained, against the previous question and the previous answer.

The chat history is a list of ``{"role", "content"}`` messages; an assistant message may also
carry ``citations`` (``[{"doc_id", "locator", "quote"}]``, as every surface of this app sends them
back). Without them, the previous answer's quotes are found in the documents by their words (every
quote is verbatim), so a history typed by hand or written by a model works too.

``FollowUps.resolve(message, history)`` gives a ``Resolved``:

- an item of the previous answer named by its place — “第二项”, “第4点”, “（三）”, “最后一项”,
  “the second one”, “item 3” — becomes that item's passage (``targets``), and the question is
  asked about its text; the items of a section without subsections are its lines (坚持统筹推进。…),
  and 第四条原则 after an answer from a text without articles names its fourth item; an ellipsis
  naming one item of that list by its heading (那研究能力这块呢？) is that item too;
- a pronoun or demonstrative — 它, 其, 该机构, 这个委员会, 这两家, 他们, it, they — is replaced by
  what the previous question or answer names (专家委员会, 市场监管总局、工业和信息化部);
- any other follow-up (那延期呢？, 要多久？, what about universities?) is asked together with the
  previous question (the chain then matches the bank by its own words first);

A message that stands on its own is passed through unchanged. ``LLMRewriter`` lets a chat model
write the self-contained question instead (prompts/condense.<lang>.md), the rules being its
fallback; the items and pronouns are resolved the same way on both paths.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.bank import find_span
from assistant.corpus.sources import Sources
from assistant.knowledge import Catalog
from assistant.language import detect_language
from assistant.numbers import parse_number
from assistant.question import CONTEXT_EN, CONTEXT_ZH, context_of, strip_context
from assistant.types import Passage

log = logging.getLogger(__name__)

_ZH_FOLLOW = re.compile(
    r"^(那|那么|那如果|如果是|要是|还有|另外|再问|还|同样|这个|那个|这|它|其|该|上述|前面|刚才)|呢[？?。！!]*$"
    r"|它|这个|那个|这种|这些|那些|这两|上述|上面说的|刚才说的|前面说的|他们|她们|它们|两者|二者|该机构|该委员会|该单位"
)
_EN_FOLLOW = re.compile(
    r"^(what about|how about|and\b|also\b|but\b|or\b|what if|then\b|same\b)"
    r"|\b(it|its|this|that|they|them|their|those|these|there|the (?:first|second|third|fourth|fifth|last))\b"
    # "the worst one", "which ones", "the other one": a thing of the previous answer
    r"|\b(?:the|that|this|which|other|another|each)\s+(?:\w+\s+)?ones?\b",
    re.I,
)
_ZH_STRIP = re.compile(r"^(那么|那如果|那|还有|另外|再问一下|再问|还|同样)|呢?[？?。！!\s]*$")
_EN_STRIP = re.compile(r"^(what about|how about|and|also|then)\s+|[?.!\s]+$", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUOTE = re.compile(r"“([^”]{4,600})”")

# An item of the previous answer named by its place (第X条 names an article, never an item).
_ZH_ORDINAL = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*(?:项|点|个|种|类|档|条要求|条件|款)|[（(]\s*([一二三四五六七八九十]{1,2})\s*[）)]|(最后|末)一?(?:项|点|个|条)")
# What an ellipsis naming an item of the previous answer says besides the item's name (那研究能力这块呢？).
_ZH_ITEM_FILLER = re.compile(r"^(?:那么|那|还有|另外)|这一?块|那一?块|这方面|方面|这部分|部分|这一?项|的话|的要求|要求|呢|吗|[？?。！!，,\s]")
_ITEM_LABEL = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]|——)\s*")
# 第四条原则 after an answer quoting a text without articles (纲要, 五部门, 辽宁) names its fourth item.
_ZH_ARTICLE_ORDINAL = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*条(?=[\u4e00-\u9fff])")
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1,
                "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_EN_ORDINAL = re.compile(r"\bthe (first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th)\b|\b(?:item|point|number|no\.?|#)\s*\(?(\d{1,2})\)?", re.I)

# Words that stand for something named before: replaced by it. Plural ones take two names.
_ZH_PRONOUN = re.compile(r"这两家|这两个部门|这两个单位|这两个|两者|二者|他们|她们|它们|该机构|该委员会|该单位|该部门|这个机构|这个委员会|这个单位|这个部门|这个|它|其")
_EN_PRONOUN = re.compile(r"\b(it|its|they|them|their|this body|this committee|that body|these two|both)\b", re.I)


@dataclass
class CitedRef:
    doc_id: str
    locator: str
    quote: str
    passage: Passage | None = None


@dataclass
class PreviousAnswer:
    question: str | None  # the question it answered, self-contained when the history says so
    text: str
    cited: list[CitedRef] = field(default_factory=list)
    items: list[CitedRef] = field(default_factory=list)  # the list items it quoted, in order
    questions: list[str] = field(default_factory=list)  # the earlier questions, latest first
    lists: list[list[CitedRef]] = field(default_factory=list)  # the lists of earlier answers, latest first


@dataclass
class Resolved:
    message: str
    standalone: str
    follow_up: bool
    focus: str | None = None
    targets: list[Passage] = field(default_factory=list)
    method: str = "none"  # none | item | pronoun | context | llm


def _role(m) -> str | None:
    return m.get("role") if isinstance(m, dict) else getattr(m, "role", None)


def _content(m) -> str | None:
    c = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
    return c if isinstance(c, str) else None


def last_user_question(history: list | None) -> str | None:
    for m in reversed(history or []):
        if _role(m) == "user" and (_content(m) or "").strip():
            return _content(m).strip()
    return None


def is_follow_up(message: str, history: list | None) -> bool:
    if not last_user_question(history):
        return False
    q = message.strip()
    if detect_language(q) == "en":
        return bool(_EN_FOLLOW.search(q)) or len(q.split()) <= 3
    # Very short messages (要多久？ 需要几个？) cannot stand on their own.
    return bool(_ZH_FOLLOW.search(q)) or len(_HAN.findall(q)) <= 5 or bool(_ZH_ORDINAL.search(q))


class FollowUps:
    def __init__(self, sources: Sources, entity_words: list[str], glossary: dict[str, list[str]] | None = None,
                 catalog: Catalog | None = None):
        self.sources = sources
        self.catalog = catalog  # a pronoun in a question about a document's own facts stands for the document
        # Names a pronoun may stand for: the documents' terms for bodies and roles, longest first.
        self.entities = sorted({w for w in entity_words if len(w) >= 3}, key=len, reverse=True)
        # An English question names them in English (expert committee → 专家委员会): the glossary's
        # phrases whose document words include such a name.
        known = set(self.entities)
        self.english_names = {
            phrase.lower(): next(w for w in words if w in known)
            for phrase, words in (glossary or {}).items() if any(w in known for w in words)
        }

    # -- the previous answer -------------------------------------------------------------------
    def _answer(self, m) -> tuple[list[CitedRef], list[CitedRef]]:
        """(cited passages, quoted list items) of one assistant message."""
        text = _content(m) or ""
        cited: list[CitedRef] = []
        raw = m.get("citations") if isinstance(m, dict) else None
        for c in raw or []:
            if isinstance(c, dict) and isinstance(c.get("doc_id"), str) and isinstance(c.get("locator"), str):
                p = self.sources.section(c["doc_id"], c["locator"])
                if p is not None:
                    cited.append(CitedRef(c["doc_id"], c["locator"], str(c.get("quote") or ""), p))
        if not cited:
            found = [CitedRef(*loc, q, self.sources.section(*loc)) for q in _QUOTE.findall(text) if (loc := self._locate(q))]
            cited = list({(c.doc_id, c.locator): c for c in found}.values())
        # List items: the quoted lines of a list (- “…”), in order; each is the section holding it.
        items = [c for line in text.split("\n") if line.lstrip().startswith(("- “", "-“", "• “"))
                 for q in _QUOTE.findall(line)[:1] if (loc := self._locate(q))
                 for c in [CitedRef(*loc, q, self.sources.section(*loc))]]
        return cited, items

    def previous(self, history: list | None) -> PreviousAnswer | None:
        """The last answer of ``history`` with what it cited and listed, and the earlier questions
        (as the assistant understood them, when its messages carry ``question``)."""
        msgs = list(history or [])
        questions: list[str] = []
        for i, m in enumerate(msgs):
            if _role(m) == "user" and (_content(m) or "").strip():
                nxt = msgs[i + 1] if i + 1 < len(msgs) else None
                resolved = nxt.get("question") if isinstance(nxt, dict) and _role(nxt) == "assistant" else None
                questions.append(resolved if isinstance(resolved, str) and resolved.strip() else _content(m).strip())
        questions.reverse()
        if not questions:
            return None
        answers = [m for m in msgs if _role(m) == "assistant"]
        if not answers:
            return PreviousAnswer(questions[0], "", questions=questions)
        cited, items = self._answer(answers[-1])
        lists = [it for m in reversed(answers[-4:]) if len(it := self._answer(m)[1]) >= 2]
        return PreviousAnswer(questions[0], _content(answers[-1]) or "", cited, items, questions, lists)

    def _locate(self, quote: str) -> tuple[str, str] | None:
        """(doc_id, locator) of the lowest section holding ``quote``."""
        for doc_id, doc in self.sources.docs.items():
            span = find_span(doc.text, quote)
            if span:
                p = self.sources.containing(doc_id, *span)
                if p is not None:
                    return doc_id, p.locator
        return None

    def _chained(self, question: str, lang: str) -> str:
        """``question``'s own words, then the question its context started from (one level: the
        context of a context is the same question). A context that is an item of an answer
        (第十一条（五）：…) is not carried on: the next follow-up asks about something else."""
        own, inner = strip_context(question), strip_context(context_of(question))
        if not inner or inner == own or self._is_item(inner):
            return own
        return f"{own}；{inner}" if lang == "zh" else f"{own}; {inner}"

    def _is_item(self, context: str) -> bool:
        head = re.split(r"：|: ", context, maxsplit=1)[0]
        return head != context and any(self.sources.section(d, head) is not None for d in self.sources.docs)

    # -- resolving -------------------------------------------------------------------------------
    def _ordinal(self, message: str, lang: str) -> int | None:
        if lang == "en":
            m = _EN_ORDINAL.search(message)
            if not m:
                return None
            return _EN_ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2))
        m = _ZH_ORDINAL.search(message)
        if not m:
            return None
        if m.group(3):
            return -1
        v = parse_number(m.group(1) or m.group(2))
        return int(v) if v else None

    def _listed(self, prev: PreviousAnswer) -> list[Passage]:
        """The items of what the previous answers listed: the list the previous answer quoted, else
        the latest list of an earlier answer, else the items of the section the previous answer
        cited (its subsections, or its lines when it has none) or of the list that section is an
        item of; [] when there is no such list."""
        source = prev.items if len(prev.items) >= 2 else (prev.lists[0] if prev.lists else [])
        if source:
            items = [c.passage for c in source if c.passage is not None]
            if len(items) >= 2 and len({i.locator for i in items}) == 1:
                # The quoted items are lines of one section (坚持统筹推进。/ 坚持创新驱动。…).
                lines = self._lines(items[0])
                return lines if len(lines) >= len(items) else items
            # The answer may have shown only some items of a longer list: count in the whole list.
            parent = self._parent(items[0]) if items else None
            siblings = self.sources.children(items[0].doc_id, parent) if parent else []
            if siblings and all(any(s.locator == i.locator for s in siblings) for i in items):
                return siblings
            return items
        if prev.cited and prev.cited[0].passage is not None:
            first = prev.cited[0].passage
            items = self.sources.children(first.doc_id, first.locator)
            if len(items) < 2:
                items = self._lines(first)
            if len(items) < 2:
                parent = self._parent(first)
                items = self.sources.children(first.doc_id, parent) if parent else []
            return items if len(items) >= 2 else []
        return []

    def _item(self, prev: PreviousAnswer, n: int) -> Passage | str | None:
        """The ``n``-th item (1-based; -1 the last) of what the previous answers listed
        (``_listed``), else a thing its direct answer enumerates (通过验收、整改、未通过验收: a
        string), else its citations."""
        items = self._listed(prev)
        if not items and prev.cited and prev.cited[0].passage is not None:
            thing = self._enumerated(prev, n)
            if thing:
                return thing
            items = [c.passage for c in prev.cited if c.passage is not None]
        if not items:
            return None
        if n == -1:
            return items[-1]
        return items[n - 1] if 1 <= n <= len(items) else None

    def _named_item(self, q: str, prev: PreviousAnswer) -> Passage | None:
        """The one item of what the previous answers listed that an ellipsis names by its heading
        (那研究能力这块呢？ after the conditions of 第十二条 is its item （三）研究能力)."""
        core = _ZH_ITEM_FILLER.sub("", q)
        if not 2 <= len(core) <= 10 or not _HAN.search(core):
            return None
        hits = []
        for p in self._listed(prev):
            head = _ITEM_LABEL.sub("", re.split(r"[。：:；;，,]", p.text.strip(), maxsplit=1)[0]).strip()
            if len(head) >= 2 and (core in head or head in core):
                hits.append(p)
        return hits[0] if len(hits) == 1 else None

    @staticmethod
    def _lines(p: Passage) -> list[Passage]:
        """The items of a section written as lines under its heading, with no sections of their own
        (坚持统筹推进。… / 坚持创新驱动。…, the ——lines of a 专栏): each line as a passage of that
        section, quoted verbatim from it."""
        out: list[Passage] = []
        pos = 0
        lines = p.text.split("\n")
        for i, line in enumerate(lines):
            start = p.text.find(line, pos)
            pos = start + len(line)
            body = line.strip()
            if i == 0 and len(lines) > 1 and "。" not in body and len(body) < 30:
                continue  # the section's heading
            if len(_HAN.findall(body)) >= 8:
                s = start + line.index(body)
                out.append(p.model_copy(update={"text": body, "start": p.start + s, "end": p.start + s + len(body)}))
        return out

    @staticmethod
    def _enumerated(prev: PreviousAnswer, n: int) -> str | None:
        """The ``n``-th of the things the previous direct answer enumerates (通过验收、整改、未通过验收)."""
        first = prev.text.split("\n")[0] if prev.text else ""
        m = re.search(r"^(?:答：|In short: “)(.+?)(?:\[\d+\]|”)", first)
        if not m:
            return None
        body = re.sub(r"\d+\s*[种类项个]$", "", m.group(1).strip("。 "))
        parts = [x.strip() for x in re.split(r"[、，,；;]|以及|和", body) if x.strip()]
        if len(parts) < 2:
            return None
        if n == -1:
            return parts[-1]
        return parts[n - 1] if 1 <= n <= len(parts) else None

    def _parent(self, p: Passage) -> str | None:
        node = None
        doc = self.sources.docs.get(p.doc_id)
        if doc is None:
            return None
        from assistant.corpus.sources import norm_locator

        want = norm_locator(p.locator)
        stack = [doc.root]
        while stack:
            n = stack.pop()
            for c in n.children:
                if norm_locator(c.locator) == want:
                    node = n
                stack.append(c)
        # The items of an article or a section form a list; the articles of a chapter do not.
        return node.locator if node is not None and node.kind not in ("document", "chapter") else None

    def _names(self, text: str) -> list[str]:
        """The bodies and roles ``text`` names, in order: the documents' terms, or English phrases
        of the glossary standing for them."""
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []

        def take(pattern: str, name: str, where: str) -> None:
            for m in re.finditer(pattern, where):
                if not any(a < m.end() and m.start() < b for a, b in taken):
                    found.append((m.start(), name))
                    taken.append((m.start(), m.end()))

        for w in self.entities:
            take(re.escape(w), w, text)
        low = text.lower()
        for phrase in sorted(self.english_names, key=len, reverse=True):
            take(rf"\b{re.escape(phrase)}\b", self.english_names[phrase], low)
        return list(dict.fromkeys(w for _, w in sorted(found)))

    def _article_as_item(self, q: str, prev: PreviousAnswer | None) -> tuple[int, str] | None:
        """(n, the message with 第n项) when 第n条 in ``q`` can only be an item: the previous answer
        cited a text that has no articles (第四条原则 after the 五部门 text's principles)."""
        m = _ZH_ARTICLE_ORDINAL.search(q)
        if not m or prev is None or not prev.cited or any(c.passage is None or c.passage.article for c in prev.cited):
            return None
        n = int(parse_number(m.group(1)) or 0)
        return (n, q[:m.start()] + f"第{m.group(1)}项" + q[m.end():]) if n else None

    @staticmethod
    def _about_item(message: str, q: str, item: Passage, lang: str) -> Resolved:
        """``q`` asked about an item of the previous answer: its text is the context, its passage the target."""
        head = item.text.strip().split("\n")[0][:120]
        standalone = f"{q}{CONTEXT_ZH}{item.locator}：{head}）" if lang == "zh" else f"{q}{CONTEXT_EN}{item.locator}: {head})"
        return Resolved(message.strip(), standalone, True, q, [item], "item")

    def resolve(self, message: str, history: list | None) -> Resolved:
        q = message.strip()
        follows = is_follow_up(q, history)
        # 第四条原则 is no follow-up by its words, but is one when the previous answer has no articles.
        if not follows and not (last_user_question(history) and _ZH_ARTICLE_ORDINAL.search(q)):
            return Resolved(q, q, False)
        prev = self.previous(history)
        as_item = self._article_as_item(q, prev)
        if not follows and as_item is None:
            return Resolved(q, q, False)
        lang = detect_language(q)
        prev_q = strip_context((prev.question if prev else None) or "")
        n = self._ordinal(q, lang)
        if n is None and lang == "zh" and as_item:
            n, q = as_item  # an item, not an article of the 管理办法
        if n is not None and prev is not None:
            item = self._item(prev, n)
            if isinstance(item, Passage):
                return self._about_item(message, q, item, lang)
            if item:
                standalone = f"{item}：{q}{CONTEXT_ZH}{prev_q}）" if lang == "zh" else f"{item}: {q}{CONTEXT_EN}{prev_q})"
                return Resolved(message.strip(), standalone, True, q, [], "item")
        if n is None and lang == "zh" and prev is not None and (item := self._named_item(q, prev)) is not None:
            return self._about_item(message, q, item, lang)
        pron = (_EN_PRONOUN if lang == "en" else _ZH_PRONOUN).search(q)
        # 这个方案现在生效了吗 / When was it issued? ask about the document talked about, not a body:
        # the context keeps the document the previous question named.
        about_document = self.catalog is not None and bool(self.catalog.asked_facts(q, lang)[0])
        if pron and prev is not None and not about_document:
            word = pron.group(0).lower()
            pair = word in ({"these two", "both"} if lang == "en" else {"这两家", "这两个部门", "这两个单位", "这两个", "两者", "二者"})
            names: list[str] = []
            if pair:
                answer_names = self._names(prev.text.split("\n")[0]) if prev.text else []
                names = answer_names if len(answer_names) >= 2 else next(
                    (ns for pq in prev.questions if len(ns := self._names(pq)) >= 2), [])
                names = names[:2]
            else:
                # The thing last asked about: the latest earlier question naming one.
                names = next((ns[:1] for pq in prev.questions if (ns := self._names(pq))), [])
                if not names and prev.text:
                    names = self._names(prev.text.split("\n")[0])[:1]
            if names:
                sub = "、".join(dict.fromkeys(names))
                standalone = q[:pron.start()] + sub + q[pron.end():]
                return Resolved(q, standalone, True, q, [], "pronoun")
        # A follow-up of a follow-up (那第二项呢？ after 要多久？) keeps the question the chain started
        # from: the previous follow-up's own words alone do not say what is asked about.
        chain = self._chained((prev.question if prev else None) or "", lang)
        if lang == "en":
            core = _EN_STRIP.sub("", q).strip() or q
            return Resolved(q, f"{core}{CONTEXT_EN}{chain})", True, core, [], "context")
        core = _ZH_STRIP.sub("", q).strip() or q
        return Resolved(q, f"{core}{CONTEXT_ZH}{chain}）", True, core, [], "context")


class LLMRewriter:
    """A chat model writes the self-contained question; the rules are the fallback and still
    resolve the items and pronouns (their targets are kept)."""

    def __init__(self, llm, prompts, rules: FollowUps, max_chars: int = 300):
        self.llm = llm
        self.prompts = prompts
        self.rules = rules
        self.max_chars = max_chars

    def resolve(self, message: str, history: list | None) -> Resolved:
        r = self.rules.resolve(message, history)
        if not r.follow_up:
            return r
        lang = detect_language(message)
        turns = "\n".join(
            f"{_role(t)}: {_content(t)}" for t in (history or [])[-6:] if _content(t)
        )
        try:
            from langchain_core.messages import HumanMessage, SystemMessage

            system, user = self.prompts.render("condense", lang, history=turns, question=message.strip())
            out = self.llm.invoke([SystemMessage(system), HumanMessage(user)])
            text = (out.content if isinstance(out.content, str) else "").strip().strip("“”\"")
            if not text or len(text) > self.max_chars or "\n\n" in text:
                raise ValueError(f"unusable rewrite: {text[:60]!r}")
            r.standalone, r.method = text, "llm"
        except Exception as exc:  # the model is optional here: any failure means the rule
            log.info("follow-up rewrite by model failed (%s); using the rule", exc)
        return r
