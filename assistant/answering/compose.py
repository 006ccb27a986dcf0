"""The extractive answer: the direct answer first, then the quoted spans, every claim cited.

``Composer.select(question, retrieval, scorer)`` chooses what to quote (a ``Selection``):

- the lead is the best-scored unit (``spans.UnitScorer``); its passage is quoted by that unit and
  the units of the same passage that score close to it, or whole when it is short;
- each further part of a multi-part question (建设期多久？能延期吗？) brings the passage of its own
  best unit, when that unit is likely enough to answer it; a comparison of a text with the one it
  superseded is two parts, one asked of each text (``Question.compared``);
- a question asking for a list, whose lead introduces one or is an item of one, gets the list's
  items (a section's sub-sections, or the item lines of the passage);
- a lead that is only its section's heading (a heading answers nothing) gets the section's lines,
  the first sentence of each, as a list (坚持统筹推进。/ 坚持创新驱动。…, the ——lines of a 专栏);
- the direct answer is the core of the lead: the ``answer`` of the bank entry matched on it, else
  the clause of the lead unit that holds what is asked.

``Composer.answer`` words a selection: ``答：<direct answer>[n]`` then ``根据《…》第X条：“…”[n]`` per
passage (English: an English frame around the Chinese quotes), one citation per passage, and a
note where the 2022 指导意见 worded the point differently from the 2023 管理办法 (corpus/versions.json)
or where only the earlier text is quoted. ``refusal``, ``decline`` and ``document_fact`` (a question
asking only a document's own facts: the catalog's value as printed, for every fact and document
asked) word the other outcomes. It never paraphrases, translates or computes: every figure it
writes is printed in a passage it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.bank import find_span
from assistant.corpus.sources import Sources, within
from assistant.knowledge import Catalog, Versions
from assistant.question import Question
from assistant.retrieval import Retrieval
from assistant.sentences import Unit, clauses, split_units
from assistant.types import Answer, Citation, Passage

from .citations import Namer, make_citation
from .spans import Candidate, UnitScorer, holds_kind, is_heading, is_title

_WHOLE = 240  # a passage this short (without a list) is quoted whole
_KEEP = 0.3  # other sentences of the lead's passage are quoted when at least this share as likely
_FIGURE_SHARE = 0.5  # a unit printing the figure asked leads when at least this share as likely as the best
_MAX_ITEMS = 8
_MAX_JOINED_QUOTE = 300
_DIRECT_MAX = 60


@dataclass
class Quote:
    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]


@dataclass
class Selection:
    lead: Candidate
    blocks: list[tuple[Passage, list[Quote], str]] = field(default_factory=list)  # (passage, quotes, prose|list|lines)
    direct: Quote | None = None
    directs: list[Quote] = field(default_factory=list)  # one per part of a multi-part question
    parts_answered: int = 1
    candidates: list[Candidate] = field(default_factory=list)


def _merge(p: Passage, units: list[Unit]) -> list[Quote]:
    """Adjacent units of one passage become one quote (still a verbatim span)."""
    order = {(u.start, u.end): i for i, u in enumerate(split_units(p.text))}
    quotes: list[Quote] = []
    last = None
    for u in sorted(units, key=lambda u: u.start):
        i = order.get((u.start, u.end))
        if quotes and last is not None and i is not None and i == last + 1:
            quotes[-1].end = u.end
        else:
            quotes.append(Quote(p, u.start, u.end))
        last = i
    return quotes


class Composer:
    def __init__(self, catalog: Catalog, versions: Versions, sources: Sources):
        self.catalog = catalog
        self.versions = versions
        self.sources = sources
        self.namer = Namer(catalog)

    # -- selection -------------------------------------------------------------------------------
    def _units_of(self, cands: list[Candidate], pi: int, p: Passage, lead: Candidate) -> list[Unit]:
        units = split_units(p.text, pi)
        has_items = any(u.item_label and u.line > 0 for u in units)
        if not has_items and len(p.text.strip()) <= _WHOLE:
            return [u for u in units if not (u.kind == "intro" and u is not lead.unit)] or units
        mine = [c for c in cands if c.passage == pi]
        keep = [lead.unit] + [c.unit for c in mine if c.unit != lead.unit and c.p >= max(_KEEP * lead.p, 0.05)][:2]
        # A sentence introducing a list (…主要职责包括：) is not quoted without an item of the list.
        return [u for u in keep if not (u.kind == "intro" and u is not lead.unit and
                                        not any(v.item_label and v.line > u.line for v in keep))] or [lead.unit]

    def _section_lines(self, p: Passage, lead: Candidate) -> list[Quote] | None:
        """When the lead is only its section's heading (a heading answers nothing): the first
        sentence of each line under it, from the whole section (the heading may be a chunk of its
        own), as the items of a list (坚持统筹推进。/ 坚持创新驱动。…, the ——lines of a 专栏)."""
        units = split_units(p.text)
        if not (lead.features.get("title") or (len(units) == 1 and is_heading(units[0], p))):
            return None
        section = self.sources.section(p.doc_id, p.locator) or p
        lines = [u for u in split_units(section.text) if u.first_in_line and u.line > 0]
        return [Quote(section, u.start, u.end) for u in lines[:_MAX_ITEMS]] if len(lines) >= 2 else None

    def _list_items(self, q: Question, p: Passage, lead: Candidate) -> list[Quote] | None:
        """The items of the list the lead introduces or belongs to, when the question asks for one."""
        if not (q.asks == "list" or q.asks_p.get("list", 0.0) >= 0.3):
            return None
        units = split_units(p.text)
        items = [u for u in units if u.item_label and u.first_in_line and u.line > 0]
        children = self.sources.children(p.doc_id, p.locator)
        if not (lead.unit.kind == "intro" or lead.unit.item_label or holds_kind(lead.unit.text, "list")
                or len(p.text) < 40 or len(children) >= 2):
            return None
        if len(items) >= 2 and lead.unit.item_label and lead.unit.line > 0 and lead.p >= 0.5:
            return None  # the lead is one item of the list and answers on its own
        if len(items) >= 2:
            intro = [u for u in units if u.line < items[0].line and (u.kind == "intro" or not is_title(u, p, units))]
            quotes = [Quote(p, intro[-1].start, intro[-1].end)] if intro else []
            return quotes + [Quote(p, u.start, u.end) for u in items[:_MAX_ITEMS]]
        section = p
        if len(children) < 2 and lead.p >= 0.5:
            return None  # the lead is one item of a list and answers on its own
        if len(children) < 2 and len(p.heading_path) >= 2:
            parent = " > ".join(p.heading_path[:-1]) if not p.locator.startswith("第") else None
            children = self.sources.children(p.doc_id, parent) if parent else []
            section = self.sources.section(p.doc_id, parent) if parent else None
        elif len(children) >= 2:
            section = self.sources.section(p.doc_id, p.locator) or p
        if len(children) < 2 or section is None:
            return None
        # The list is quoted from its section, one passage: its intro, then the first sentence of
        # each item, all spans of the section's text.
        own = split_units(section.text[: children[0].start - section.start])
        quotes = [Quote(section, own[-1].start, own[-1].end)] if own and not is_title(own[-1], section, own + [own[-1]]) else []
        for c in children[:_MAX_ITEMS]:
            us = split_units(c.text)
            if us:
                off = c.start - section.start
                quotes.append(Quote(section, off + us[0].start, off + us[0].end))
        return quotes if len(quotes) >= 2 else None

    def _direct(self, q: Question, p: Passage, lead: Candidate) -> Quote | None:
        """The short direct answer: the bank entry's answer on the lead, else a clause of it."""
        hit = lead.hit
        if hit is not None and hit.entry.answer_start >= 0 and hit.entry.span_doc == p.doc_id:
            s, e = hit.entry.answer_start - p.start, hit.entry.answer_end - p.start
            if 0 <= s < e <= len(p.text) and e - s <= 2 * _DIRECT_MAX and p.text[s:e].strip():
                return Quote(p, s, e)
        text = lead.unit.text
        if len(text) <= _DIRECT_MAX:
            return None  # the lead is short: it is its own direct answer
        pieces: list[tuple[int, int]] = []
        pos = lead.unit.start
        for c in clauses(text):
            s = p.text.find(c.strip(), pos)
            if s < 0:
                continue
            pieces.append((s, s + len(c.strip().rstrip("，,；;：:"))))
            pos = s + len(c.strip())
        if len(pieces) < 2:
            return None

        def score(se):
            t = p.text[se[0]:se[1]]
            return (2.0 if holds_kind(t, q.asks) else 0.0) + q.coverage(t) + (0.2 if len(t) >= 6 else -1.0)

        s, e = max(pieces, key=score)
        return Quote(p, s, e) if e - s >= 4 else None

    @staticmethod
    def _figure_lead(q: Question, cands: list[Candidate]) -> Candidate:
        """The lead: the best unit, unless a figure, duration or date is asked, the best unit prints
        none, and a unit nearly as likely prints one (answer-type matching)."""
        best = cands[0]
        if best.features.get("kind_miss", 0.0) and len(cands) > 1:
            alt = next((c for c in cands[1:6] if c.features.get("kind_ok", 0.0) and c.p >= _FIGURE_SHARE * best.p), None)
            if alt is not None:
                return alt
        return best

    def select(self, q: Question, r: Retrieval, scorer: UnitScorer, targets: set[str] = frozenset(),
               parts: list[tuple[Question, list]] | None = None) -> Selection | None:
        """What to quote for ``q`` (see module docstring); ``parts``: the parts of a multi-part
        question with their bank matches, each answered by its own best unit, in the order asked."""
        cands = scorer.candidates(r, q, targets)
        if not cands:
            return None
        passages = r.passages
        leads: list[Candidate] = []
        for part, hits in parts or []:
            pc = scorer.candidates(r, part, targets, hits)
            if not pc or any(pc[0].unit == c.unit for c in leads):
                continue
            named = bool(part.documents) and passages[pc[0].passage].doc_id in part.documents
            if not leads or pc[0].p >= 0.05 or named:
                leads.append(pc[0])
        if not leads:
            leads = [self._figure_lead(q, cands)]
        lead = max(leads, key=lambda c: c.p) if len(leads) > 1 else leads[0]
        sel = Selection(lead, candidates=cands, parts_answered=len(leads))
        by_passage: dict[int, list[Candidate]] = {}
        for c in leads:
            by_passage.setdefault(c.passage, []).append(c)
        for pi, cs in by_passage.items():
            p = passages[pi]
            lines = self._section_lines(p, cs[0])
            if lines:
                sel.blocks.append((lines[0].passage, lines, "lines"))
                continue
            items = self._list_items(q if len(leads) == 1 else cs[0].question or q, p, cs[0])
            if items:
                sel.blocks.append((items[0].passage if len({x.passage.chunk_id for x in items}) == 1 else p, items, "list"))
                continue
            units: list[Unit] = []
            for c in cs:
                units += [u for u in self._units_of(cands if len(leads) == 1 else [c], pi, p, c) if u not in units]
            sel.blocks.append((p, _merge(p, units), "prose"))
        directs = [self._direct(c.question or q, passages[c.passage], c) or Quote(passages[c.passage], c.unit.start, c.unit.end)
                   for c in leads]
        if len(leads) == 1:
            sel.direct = directs[0] if directs else None
        else:
            sel.directs = directs
        return sel

    # -- wording ---------------------------------------------------------------------------------
    def answer(self, q: Question, r: Retrieval, sel: Selection, correction: bool = False) -> Answer:
        lang = q.language
        markers: dict[str, int] = {}
        spans: dict[int, tuple[Passage, int, int]] = {}

        def mark(x: Quote) -> int:
            n = markers.setdefault(x.passage.chunk_id, len(markers) + 1)
            p, s, e = spans.get(n, (x.passage, x.start, x.end))
            spans[n] = (p, min(s, x.start), max(e, x.end))
            return n

        lines: list[str] = []
        lead_p, lead_quotes, _ = sel.blocks[0]
        direct = sel.direct or (lead_quotes[0] if sel.blocks[0][2] == "prose" and len(lead_quotes) == 1
                                and len(sel.blocks) == 1 else None)
        if correction:
            lines.append("Note: the documents give a different figure from the one in your question." if lang == "en"
                         else "更正：文件规定的数字与问题中所说的不同。")
        if sel.directs:
            marked = [(x, mark(x)) for x in sel.directs]
            if lang == "en":
                lines.append("In short: " + "; ".join(f"“{x.text}” [{n}]" for x, n in marked))
            else:
                lines.append("答：" + "；".join(f"{x.text.rstrip('。；，')}[{n}]" for x, n in marked) + "。")
        elif direct is not None and sel.blocks[0][2] == "prose":
            n = mark(direct)
            if lang == "en":
                lines.append(f"In short: “{direct.text}” ({self.namer.title_en(direct.passage.doc_id) or direct.passage.doc_short_title}, {direct.passage.locator}) [{n}]")
            else:
                lines.append(f"答：{direct.text.rstrip('。')}[{n}]。")
        elif lang == "en":
            lines.append("Here is what the documents say (quoted in the original Chinese):")
        first = True
        prev_doc = None
        for p, quotes, style in sel.blocks:
            name = self.namer.name(p, lang)
            if style in ("list", "lines"):  # lines: items only, no sentence introducing them
                head = quotes[0] if style == "list" and quotes and not quotes[0].text.lstrip().startswith(("（", "(", "1", "—")) else None
                body = quotes[1:] if head else quotes
                multi = len({x.passage.chunk_id for x in quotes}) > 1
                if lang == "en":
                    lines.append(f"{self.namer.title_en(p.doc_id)} — {name}:")
                else:
                    lines.append(f"{'根据' if first else '另据'}{name}{'，有以下几项' if multi else ''}：")
                if head:
                    lines.append(f"“{head.text}”[{mark(head)}]")
                for x in body:
                    lines.append(f"- “{x.text}”[{mark(x)}]")
            else:
                quoted = "……".join(f"“{x.text}”" for x in quotes)
                n = None
                for x in quotes:
                    n = mark(x)
                if lang == "en":
                    title = self.namer.title_en(p.doc_id)
                    lines.append(f"- {title}, {name}: {quoted} [{n}]" if title else f"- {name}: {quoted} [{n}]")
                elif first:
                    lines.append(f"根据{name}：{quoted}[{n}]")
                elif prev_doc == p.doc_id and p.locator.startswith("第"):
                    lines.append(f"同一文件{p.locator}还规定：{quoted}[{n}]")
                else:
                    lines.append(f"另据{name}：{quoted}[{n}]")
            first = False
            prev_doc = p.doc_id
        self._version_notes(q, r, sel, lines, mark)
        return Answer(text="\n".join(lines), refused=False, citations=self._citations(spans, sel), language=lang)

    def _citations(self, spans: dict[int, tuple[Passage, int, int]], sel: Selection) -> list[Citation]:
        out = []
        for n, (p, s, e) in sorted(spans.items()):
            if e - s > _MAX_JOINED_QUOTE:
                firsts = [x for _, qs, _ in sel.blocks for x in qs if x.passage.chunk_id == p.chunk_id]
                if firsts:
                    s, e = firsts[0].start, firsts[0].end
            out.append(make_citation(p, p.text[s:e], n))
        return out

    # -- versions ----------------------------------------------------------------------------------
    def _side(self, side, r: Retrieval) -> Quote | None:
        cands = [p for p in r.passages if p.doc_id == side.doc_id and within(p.locator, side.locator)]
        found = self.sources.section(side.doc_id, side.locator)
        if found:
            cands.append(found)
        for p in cands:
            for u in split_units(p.text):
                if side.anchor in u.text:
                    return Quote(p, u.start, u.end)
        return None

    def _version_notes(self, q: Question, r: Retrieval, sel: Selection, lines: list[str], mark) -> None:
        cited = [p for p, _, _ in sel.blocks]
        low = q.text.lower()
        compares = any(w.lower() in low for w in self.versions.compare_words)
        noted = False
        for pair in self.versions.pairs:
            old_cited = any(p.doc_id == pair.old.doc_id and within(p.locator, pair.old.locator) for p in cited)
            new_cited = any(p.doc_id == pair.new.doc_id and within(p.locator, pair.new.locator) for p in cited)
            asked = any(t.lower() in low for t in pair.triggers)
            if not (old_cited or (new_cited and asked and (pair.old.doc_id in q.documents or compares))):
                continue
            new_q, old_q = self._side(pair.new, r), self._side(pair.old, r)
            if not new_q or not old_q:
                continue
            a, b = mark(new_q), mark(old_q)
            if q.language == "en":
                lines.append(
                    f"Note on versions ({pair.topic_en}): the operative rule is {self.namer.name(new_q.passage, 'en')}: "
                    f"“{new_q.text}” [{a}]; the earlier guidance ({self.namer.name(old_q.passage, 'en')}) said: “{old_q.text}” [{b}]."
                )
            else:
                lines.append(
                    f"版本说明（{pair.topic_zh}）：现行{self.namer.name(new_q.passage)}的规定是“{new_q.text}”[{a}]；"
                    f"此前{self.namer.name(old_q.passage)}的表述是“{old_q.text}”[{b}]，以现行规定为准。"
                )
            sel.blocks.extend([(new_q.passage, [new_q], "note"), (old_q.passage, [old_q], "note")])
            noted = True
        docs = {p.doc_id for p, _, _ in sel.blocks}
        operative = self.catalog.operative
        earlier = [d for d in docs if self.catalog.superseded_by(d) == operative]
        if not noted and earlier and operative not in docs:
            lines.append(
                "Note: this comes from earlier guidance; applications and management now follow the operative rule, "
                f"{self.namer.title_en(operative)}." if q.language == "en"
                else f"注：以上出自此前印发的文件；申报和管理以现行{self.catalog.by_id[operative].short_title}为准。"
            )

    # -- the other outcomes ----------------------------------------------------------------------
    def refusal(self, q: Question, r: Retrieval | None, missing: str | None, nearest: list[Quote],
                head: str | None = None) -> Answer:
        lang = q.language
        what = _WHAT_EN if lang == "en" else _WHAT_ZH
        w = what.get(missing or "")
        if head:
            pass
        elif lang == "en":
            head = f"The documents do not specify {w}." if w else "The documents do not answer this question."
        else:
            head = f"现有文件没有规定{w}。" if w else "现有文件没有回答这个问题。"
        markers: dict[str, int] = {}
        citations: list[Citation] = []
        lines = [head]
        if nearest:
            lines[0] += " The closest they say (quoted in the original Chinese):" if lang == "en" else "文件中最接近的内容是："
            for x in nearest:
                n = markers.setdefault(x.passage.chunk_id, len(markers) + 1)
                lines.append(f"- {self.namer.name(x.passage, lang)}: “{x.text}” [{n}]" if lang == "en"
                             else f"{self.namer.name(x.passage)}：“{x.text}”[{n}]")
                if not any(c.marker == n for c in citations):
                    citations.append(make_citation(x.passage, x.text, n))
        pointer = self.referral(r, markers)
        if pointer is not None:
            n = len(markers) + 1
            ref = self.catalog.referral
            cite = self.namer.name(pointer.passage, lang)
            lead = (ref.en if lang == "en" else ref.zh).format(cite=cite)
            lines.append(f"{lead} “{pointer.text}” [{n}]" if lang == "en" else f"{lead}“{pointer.text}”[{n}]")
            citations.append(make_citation(pointer.passage, pointer.text, n))
        return Answer(text="\n".join(lines), refused=True, citations=citations, language=lang)

    def referral(self, r: Retrieval | None, markers: dict[str, int]) -> Quote | None:
        """The sentences that say who recommends an application (catalog ``referral``)."""
        ref = self.catalog.referral
        p = next((x for x in (r.passages if r else []) if x.doc_id == ref.doc_id and within(x.locator, ref.locator)
                  and x.locator == ref.locator), None) or self.sources.section(ref.doc_id, ref.locator)
        if p is None or p.chunk_id in markers:
            return None
        units = [u for u in split_units(p.text) if ref.anchor in u.text and u.kind == "sentence" and not u.item_label]
        if not units:
            return None
        return Quote(p, units[0].start, units[min(1, len(units) - 1)].end)

    def decline(self, q: Question, scope: str) -> Answer:
        lang = q.language
        text = (_DECLINE_EN if lang == "en" else _DECLINE_ZH)[scope]
        return Answer(text=text, refused=scope != "greeting", declined=scope != "greeting", language=lang)

    def document_fact(self, q: Question, facts: list[tuple[str, str]]) -> Answer:
        """A question about documents themselves ((document, fact) pairs: 管理办法的文号和印发日期),
        answered from the catalog and where it says each fact is printed; a fact the held text does
        not state is said to be missing, and when none is stated the answer is a refusal."""
        lang = q.language
        lines: list[str] = []
        missing: list[str] = []
        citations = []
        for doc_id, fact in facts:
            meta = self.catalog.by_id[doc_id]
            title = meta.short_title
            what = _FACT_EN[fact] if lang == "en" else _FACT_ZH[fact]
            if fact == "status":
                label = self.catalog.status_label(meta.status, lang)
                lines.append(f"{meta.title_en or title} is held here as: {label} ({meta.kind})." if lang == "en"
                             else f"{title}在本库中的文本状态：{label}（{meta.kind}）。")
            quotes: list[Quote] = []
            for pr in meta.printed.get(fact) or []:
                p = self.sources.section(pr.doc_id or doc_id, pr.locator)
                span = find_span(p.text, pr.span) if p is not None else None
                if span:
                    quotes.append(Quote(p, *span))
            related = fact == "supersedes" and any(
                f == fact and d != doc_id and self.catalog.by_id[d].printed.get(f) for d, f in facts)
            if not quotes and fact != "status" and not related:  # a relation printed by the other text is stated
                missing.append(f"The text of {meta.title_en or title} held here does not state its {what}." if lang == "en"
                               else f"本库收录的{title}文本中没有写明{what}。")
            for x in quotes:
                n = len(citations) + 1
                if lang == "en":
                    lines.append(f"{meta.title_en or title} — {what}: “{x.text}” ({self.namer.name(x.passage, 'en')}) [{n}]")
                else:
                    lines.append(f"{title}的{what}：见{self.namer.name(x.passage)}“{x.text}”[{n}]")
                citations.append(make_citation(x.passage, x.text, n))
        if not lines:
            return self.refusal(q, None, None, [], head=" ".join(missing) if lang == "en" else "".join(missing))
        return Answer(text="\n".join(lines + missing), citations=citations, language=lang)


_WHAT_ZH = {"figure": "具体数字", "duration": "具体时长", "date": "具体日期或时间", "body": "具体负责的机构",
            "list": "具体清单", "procedure": "具体办理程序"}
_WHAT_EN = {"figure": "a figure for this", "duration": "a length of time for this", "date": "a date for this",
            "body": "which body does this", "list": "such a list", "procedure": "a procedure for this"}
_FACT_ZH = {"number": "文号", "date": "印发日期", "effective": "施行日期", "interpreter": "解释机关", "issuers": "发文机关", "basis": "制定依据", "supersedes": "前后文件关系", "status": "文本状态"}
_FACT_EN = {"number": "document number", "date": "date of issue", "effective": "entry into force",
            "interpreter": "body that interprets it", "issuers": "issuing bodies", "basis": "basis",
            "supersedes": "relation to earlier documents", "status": "status"}
_CAN_DO_ZH = "我可以回答关于国家质量标准实验室政策文件的问题（引用原文和条款），也可以按《国家质量标准实验室管理办法》第十二条逐项核对贵单位的条件。"
_CAN_DO_EN = ("I can answer questions about the policy documents on State Quality & Standards Laboratories, quoting the "
              "text and its article, and check a lab's figures against Article 12 of the Measures, condition by condition.")
_DECLINE_ZH = {
    "instructions": "抱歉，我不能提供我的内部设置或指令。" + _CAN_DO_ZH,
    "roleplay": "抱歉，我不能代表评审或主管部门作出决定或承诺结果；是否批准以评审和主管部门的意见为准。" + _CAN_DO_ZH,
    "off_topic": "抱歉，这超出了我的服务范围。" + _CAN_DO_ZH,
    "greeting": "您好！" + _CAN_DO_ZH + "请直接提问，例如：申报需要满足哪些条件？",
}
_DECLINE_EN = {
    "instructions": "Sorry, I cannot share my internal settings or instructions. " + _CAN_DO_EN,
    "roleplay": "Sorry, I cannot decide or promise anything on behalf of the reviewers or the authorities; approval rests "
                "with them. " + _CAN_DO_EN,
    "off_topic": "Sorry, that is outside what I can help with. " + _CAN_DO_EN,
    "greeting": "Hello! " + _CAN_DO_EN + " Ask, for example: what conditions must an applicant meet?",
}
