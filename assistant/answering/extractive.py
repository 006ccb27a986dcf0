"""The offline answer: the best sentences and list items of the retrieved passages, quoted.

``ExtractiveGenerator.answer(analysis, passages)`` returns an ``Answer`` whose text leads with the
document and article each quote comes from (根据《国家质量标准实验室管理办法》第十八条：“…”[1]),
quoting the exact words, so that every statement is a verbatim span of the cleaned document.

How sentences are chosen (no model):
- each sentence / list item is scored by the weighted share of the question's concepts it
  expresses (jieba tokens, applicant synonyms, English glossary: ``lexicon.py``), plus a little
  for the section heading it sits under, for holding what the question asks (a number, a duration,
  a body, a list), and for the rank of its passage; a run-on sentence (measures joined by ；) has
  its overlap discounted, and a section's title standing alone counts for less than the sentences
  under it; a list question prefers a sentence that gives a list (items, an intro ending in ：, or
  包括：…；…；… inside the sentence), and "must we …?" (还需要…吗) a sentence stating a duty (应当);
- a quote does not end on a sentence that introduces a list (…主要职责包括：) unless an item of the
  list is quoted too or that sentence is itself the answer;
- when the reply should quote a figure (多少 / 多久, or the applicant states one of their own to
  compare: 四千万, 10个课题) and the best sentence prints none (a year such as 2025年 is not one),
  a close runner-up that prints one leads instead, or joins the lead when the lead's answer is
  only partial (若干 next to 10家);
- the best sentence leads; others follow when they score close to it and either add a concept the
  answer lacks (a second part of the question, a second article or document) or continue the same
  article; for a list question, the items of the list are given;
- where the 2022 指导意见 worded a point differently from the 2023 管理办法 (``standing.py``),
  both are quoted, the 2023 rule first; drafts and reprints are labelled.

English questions get an English frame around the Chinese quotes. It does not paraphrase,
translate or compute (it will not say whether 4000万元 meets 5000万元; it quotes the threshold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.types import Answer, Citation, Passage

from .citations import cite_name, make_citation
from .question import QuestionAnalysis, holds
from assistant.corpus.sources import Sources
from .standing import EN_TITLES, GUIDANCE, MEASURES, VERSION_PAIRS, Side, asks_about_versions, locator_matches
from .units import Unit, split_passage

_KIND_BONUS = {"number": 0.2, "duration": 0.25, "when": 0.2, "who": 0.12}
# A question that compares the two texts (现在以哪个为准, 有什么变化, still / now), as opposed to one
# that only names the 2022 指导意见 to ask what it says.
_COMPARES = re.compile(
    r"两份文件|两个文件|哪个为准|现在|现行|目前|还是|说法一样|区别|变化|不同|\bnow\b|\bcurrent|\bstill\b|\bdiffer",
    re.I,
)
# Question words that name a document (matched against titles, see lexicon.py), not a point of it.
_DOC_NAME_WORDS = {"管理办法", "指导意见", "纲要", "实施方案", "guidance", "guiding opinions", "outline"}
# A figure proper (18个月, 10家, 两年, 指数达到86), not 若干: what a 多少 / 多久 question wants to
# see. A digit that only names something (5部门 in a news lead, 〔2023〕92号) is not one: a figure
# either carries a counter or stands on its own before punctuation.
_COUNTER = r"个月|年|项|个|名|人|家|次|类|种|倍|万|亿|张|元|%|％|平方米|所|天"
_FIGURE = re.compile(
    rf"\d+(?:\.\d+)?(?:\s*(?:万|亿)?\s*(?:{_COUNTER})|(?!\s*[\u4e00-\u9fff\d.〕]))"
    rf"|[一二两三四五六七八九十百千半]+\s*(?:{_COUNTER})"
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# A quantity the applicant states (四千万, 一千多万, 10个, 2500万): they are comparing their own
# figure with a threshold, so the sentence that prints a figure is the one they need. A year
# (2025年) or an article number (第十二条) is not such a quantity.
_STATED_QUANTITY = re.compile(
    r"(?<![\d第])\d+(?:\.\d+)?\s*多?\s*(?:万|亿|元|个|项|家|名|人|平方|篇|件|台|套)"
    r"|(?<!第)[一二两三四五六七八九十百千几]+多?(?:万|亿)"
)


def wants_figure(analysis: QuestionAnalysis) -> bool:
    """Whether the reply should quote a figure: asked for one (多少/多久), or compares one of its own."""
    return analysis.kind in ("number", "duration") or bool(_STATED_QUANTITY.search(analysis.text))


_LONG_UNIT = 150
_TITLE_PENALTY = 0.3
_TITLE_TRIM = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]\s*|[一二三四五六七八九十]+、)|[。：:\s]+$")


# A list written inside one sentence: 主要包括：承担…；加强…；开展….
_INLINE_LIST = re.compile(r"(?:包括|包含|主要有|分为|如下)[：:][^。；]+；[^。；]+；")


def _lists(u: Unit) -> bool:
    """Whether ``u`` gives or introduces a list: a sentence ending in ：, an item of a list in the
    passage, or a list inside the sentence. The label of the passage's own section ((二)学术团队。
    on its first line) does not make its sentence a list."""
    return u.kind == "intro" or bool(u.item_label and u.line > 0) or bool(_INLINE_LIST.search(u.text))


# Whether the applicant must do something (还需要…吗, 必须…吗) is answered by the text that states a
# duty (实验室应当…), before a text that only mentions the same thing.
_ASKS_DUTY = re.compile(r"需要|必须|要不要|需不需要|是否要|得不得|\b(?:must|have to|need to|required to)\b", re.I)
_DUTY = re.compile(r"应当|必须|须|应该")


def _is_title(u: Unit, p: Passage, units: list[Unit]) -> bool:
    """Whether ``u`` is only the title of the passage's section, with sentences after it."""
    if u.line != 0 or len(units) < 2 or len(u.text) > 30 or not p.heading_path:
        return False
    title = _TITLE_TRIM.sub("", u.text.strip())
    return bool(title) and title in _TITLE_TRIM.sub("", p.heading_path[-1].strip())

# A calendar year (到2025年, 2035年) dates a plan; it is not the figure a 多少 / 多久 asks for.
_YEAR = re.compile(r"(?:19|20)\d\d\s*年(?:底|末|前|内)?")


def _figures_only(text: str) -> str:
    """``text`` without calendar years and without digits that name rather than count (5部门)."""
    text = _YEAR.sub("", text)
    return _DIGITS.sub(lambda m: m.group(0) if _FIGURE.match(text, m.start()) else "", text)


def gives_figure(analysis: QuestionAnalysis, text: str) -> bool:
    """Whether ``text`` prints a figure of the kind asked (18个月 for 多久, 10家 for 多少)."""
    text = _figures_only(text)
    if not _FIGURE.search(text):
        return False
    return holds(text, analysis.kind) if analysis.kind in ("number", "duration") else True


@dataclass
class Scored:
    unit: Unit
    score: float
    coverage: float
    groups: frozenset[str]


@dataclass
class Quote:
    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]


@dataclass
class Draft:
    """Quotes grouped in the order they will be written, before wording."""

    blocks: list[tuple[Passage, list[Quote], str]] = field(default_factory=list)  # (passage, quotes, style)
    notes: list[tuple[str, list[Quote]]] = field(default_factory=list)  # (template, quotes)


def score_units(analysis: QuestionAnalysis, passages: list[Passage]) -> list[Scored]:
    """Every sentence of the passages with its score, best first."""
    out: list[Scored] = []
    figure = wants_figure(analysis)
    obligation = bool(_ASKS_DUTY.search(analysis.text))
    for rank, p in enumerate(passages):
        heading = " ".join([*p.heading_path[-2:], p.doc_short_title])
        ctx_cov = analysis.coverage(heading)
        article_hit = 0.5 if analysis.article and (p.article == analysis.article or p.locator.startswith(analysis.article)) else 0.0
        if analysis.documents:
            # The question names a document (指导意见, 纲要, 辽宁 …): its passages first.
            article_hit += 0.3 if p.doc_id in analysis.documents else -0.3
        # The passage as a whole: a sentence in a passage that covers the question better wins ties.
        article_hit += 0.3 * analysis.coverage(p.text + " " + heading)
        if not analysis.documents:
            # The 2023 管理办法 is the operative rule: on a tie it answers before the other texts.
            article_hit += 0.1 if p.doc_id == MEASURES else 0.0
        units = split_passage(rank, p)
        for u in units:
            cov = analysis.coverage(u.text)
            if len(u.text) > _LONG_UNIT:
                # A run-on sentence (a list of measures joined by ；) shares words with almost any
                # question; what it shares counts for less than in a sentence of ordinary length.
                cov *= (_LONG_UNIT / len(u.text)) ** 0.5
            groups = frozenset(g.source for g in analysis.groups if g.matches(u.text))
            s = cov + 0.25 * ctx_cov + article_hit
            if cov > 0 or ctx_cov > 0 or article_hit:
                s += _KIND_BONUS.get(analysis.kind, 0.0) if holds(u.text, analysis.kind) else 0.0
                if figure and cov > 0 and _FIGURE.search(_YEAR.sub("", u.text)):
                    s += 0.3
                if analysis.fact and holds(u.text, analysis.fact):
                    s += 0.2
                if obligation and _DUTY.search(u.text):
                    s += 0.1
                if analysis.kind == "list" and _lists(u):
                    s += 0.08
            if analysis.kind != "list" and _is_title(u, p, units):
                # A section's title on its own (8.发挥认证服务地方经济发展能力。) names a topic and
                # answers nothing; the sentences under it do. (A list question may still use it to
                # introduce the list: _list_items.)
                s -= _TITLE_PENALTY
            s += 0.08 / (1 + rank)
            out.append(Scored(u, s, cov, groups))
    out.sort(key=lambda x: -x.score)
    return out


def without_dangling_intros(units: list[Unit], lead: Unit | None) -> list[Unit]:
    """``units`` without a sentence that introduces a list (推荐单位的主要职责包括：) none of whose
    items is quoted after it: the quote would end on a colon with the list cut off. The sentence
    chosen to answer stays (需具备以下条件的任意三项： answers 得占几条), and so does a lone one."""
    def dangling(u: Unit) -> bool:
        return u.kind == "intro" and u != lead and not any(v.item_label and v.line > u.line for v in units)

    kept = [u for u in units if not dangling(u)]
    return kept or units


def part_coverage(groups: list, text: str) -> float:
    """Weighted share of one part's concepts that ``text`` states. A synonym counts half: in a
    question about two things named alike (实验室主任 and 学术委员会主任), only the text naming
    the thing in the question's own words answers that part."""
    total = sum(g.weight for g in groups)
    if total <= 0:
        return 0.0
    got = 0.0
    for g in groups:
        st = g.strength(text)
        got += g.weight * (1.0 if st >= 1.0 else 0.5 if st > 0 else 0.0)
    return got / total


class ExtractiveGenerator:
    """Offline, deterministic answers quoted from the passages (the default backend)."""

    name = "extractive"

    def __init__(self, sources: Sources | None = None, max_passages: int = 3, max_items: int = 8,
                 whole_article_chars: int = 240):
        self.sources = sources or Sources(None)
        self.max_passages = max_passages
        self.max_items = max_items
        self.whole_article_chars = whole_article_chars

    # -- selection ----------------------------------------------------------------------------
    def select(self, analysis: QuestionAnalysis, passages: list[Passage]) -> list[tuple[int, list[Unit]]]:
        """The passages to quote (index, sentences), lead first.

        The lead is the passage holding the best sentence. Another passage joins only when it
        expresses a concept of the question that the lead does not (a second part of the question,
        a second article or document) and scores close to the lead; a passage that merely shares a
        common word never does.
        """
        scored = score_units(analysis, passages)
        if not scored or scored[0].score <= 0:
            return []
        by_p: dict[int, list[Scored]] = {}
        for sc in scored:
            by_p.setdefault(sc.unit.passage, []).append(sc)
        best, extra = self._figure_lead(analysis, scored)
        total = sum(analysis.group_weight(g) for g in analysis.groups) or 1.0
        weight = {g.source: analysis.group_weight(g) for g in analysis.groups}

        def quote_units(pi: int, lead: Unit | None = None) -> list[Unit]:
            units = split_passage(pi, passages[pi])
            body = [u for u in units if not (u.item_label and u.line > 0)]
            span = sum(len(u.text) for u in units)
            if not any(u.item_label and u.line > 0 for u in units) and span <= self.whole_article_chars:
                return without_dangling_intros(units, lead)  # a short article reads best whole
            top = by_p[pi][0]
            keep = [sc.unit for sc in by_p[pi] if sc.coverage > 0 and sc.score >= 0.6 * top.score][:3]
            if lead is not None and lead not in keep:
                # The sentence chosen to answer is always quoted, even when it repeats no word of
                # the question (the figure a 多少 asks for).
                keep = [lead, *keep[:2]]
            keep = without_dangling_intros(keep, lead)
            return sorted(keep or [top.unit], key=lambda u: u.start) if body or keep else [top.unit]

        details = analysis.part_details() if analysis.parts > 1 else []
        parts = [gs for gs, _, _ in details]
        respective = [gs for gs, _, r in details if r]

        def answers(i: int, pi: int, text: str) -> float:
            """How well passage ``pi`` (quoted as ``text``) answers part ``i`` of the question."""
            gs, docs, is_respective = details[i]
            p = passages[pi]
            if docs and p.doc_id not in docs:
                # 纲要对…有什么部署？管理办法是怎么承接的？: a part that names a document is answered
                # by that document, not by another one that mentions its title.
                return 0.0
            if docs:
                # The document's own title names it (the lexicon matches document names on titles).
                text = f"{text} {p.doc_title} {p.doc_short_title}"
            got = part_coverage(gs, text)
            if is_respective and len(respective) >= 2 and sum(part_coverage(r, text) >= 1.0 for r in respective) >= 2:
                # 市场监管总局和工业和信息化部分别…: a text naming both together answers neither
                # "respectively"; the text on each one does.
                got *= 0.5
            return got

        chosen = [(best.unit.passage, quote_units(best.unit.passage, best.unit))]
        covered = {g.source for g in analysis.groups if any(g.matches(u.text) for u in chosen[0][1])}
        # A question that asks one thing is answered from one passage; each further part of the
        # question (两个问句, 分别) may bring one more.
        room = min(self.max_passages, analysis.parts)
        if extra is not None and extra != best.unit.passage:
            chosen.append((extra, quote_units(extra)))
            covered |= {g.source for g in analysis.groups if any(g.matches(u.text) for u in chosen[-1][1])}
            room += 1
        answered = [max((answers(i, pi, " ".join(u.text for u in us)) for pi, us in chosen), default=0.0) for i in range(len(parts))]
        if respective and all(answered[i] < 1.0 for i, (_, _, r) in enumerate(details) if r) and any(
            answers(i, best.unit.passage, " ".join(u.text for u in chosen[0][1])) > 0 for i, (_, _, r) in enumerate(details) if r
        ):
            # The lead states what the things asked about 分别 share (both departments' joint
            # support): it stays, and each of them still brings its own text.
            room = min(self.max_passages, room + 1)
        candidates = []
        for pi, scs in sorted(by_p.items(), key=lambda kv: -kv[1][0].score):
            if pi == best.unit.passage or pi == extra:
                continue
            if scs[0].score < 0.65 * best.score:
                continue
            if analysis.documents and passages[pi].doc_id not in analysis.documents and passages[best.unit.passage].doc_id in analysis.documents:
                continue
            candidates.append(pi)
        # First the passages that answer a part the answer leaves open (什么时候施行 after 谁负责解释;
        # the second of two things asked 分别), though they may share little with the question as a
        # whole; then those that add a concept of the question the answer lacks.
        for opening in (True, False):
            for pi in candidates:
                if len(chosen) >= room or any(pi == c for c, _ in chosen):
                    continue
                units = quote_units(pi)
                text = " ".join(u.text for u in units)
                gains = [answers(i, pi, text) for i in range(len(parts))]
                opens = [i for i, g in enumerate(gains) if answered[i] < 0.75 and g >= 0.5 and g - answered[i] >= 0.25]
                new = {g.source for g in analysis.groups if any(g.matches(u.text) for u in units)} - covered
                if opening:
                    ok = bool(opens)
                else:
                    ok = analysis.coverage(text) >= 0.35 and sum(weight[n] for n in new) >= 0.15 * total
                if ok:
                    chosen.append((pi, units))
                    covered |= new
                    answered = [max(a, g) for a, g in zip(answered, gains)]
        return chosen

    @staticmethod
    def _figure_lead(analysis: QuestionAnalysis, scored: list[Scored]) -> tuple[Scored, int | None]:
        """The lead sentence, and a passage to add, for a question whose answer is a figure.

        When the question wants a figure (多少, 多久, or the applicant's own 四千万 to compare) and
        the best sentence prints none, a close runner-up that prints one answers better: it leads
        when the best sentence says nothing of the kind asked (立项发布一批… for 多久), and joins it
        when the best sentence gives a partial answer of that kind (建设若干… for 多少家), so that
        both texts are quoted.
        """
        best = scored[0]
        # A question in several parts (多久…？会不会…？) may ask the figure in one part only; each
        # part already brings its own passage, so the lead is left as it is.
        if analysis.parts > 1 or not wants_figure(analysis) or gives_figure(analysis, best.unit.text):
            return best, None
        # A sentence of the lead passage itself may answer though it repeats no word of the
        # question (需具备以下条件的任意三项 under the 科研成果 item): the passage is already on topic.
        alt = next((sc for sc in scored[1:] if (sc.coverage > 0 or sc.unit.passage == best.unit.passage)
                    and sc.score >= 0.65 * best.score and gives_figure(analysis, sc.unit.text)), None)
        if alt is None:
            return best, None
        if analysis.kind in ("number", "duration") and holds(_figures_only(best.unit.text), analysis.kind):
            return best, alt.unit.passage
        return alt, None

    def _list_items(self, analysis: QuestionAnalysis, passages: list[Passage], lead: int, lead_units: list[Unit]) -> list[Quote] | None:
        """The items of the list in the lead passage, when the question asks for that list."""
        if analysis.kind != "list":
            return None
        p = passages[lead]
        units = split_passage(lead, p)
        items = [u for u in units if u.item_label and u.first_in_line and u.line > 0]
        best = max(score_units(analysis, [p]), key=lambda sc: sc.score, default=None)
        if items and best and not (best.unit.kind == "intro" or best.unit.item_label):
            return None  # the question is answered by the article's own sentences, not by its list
        if len(items) >= 2:
            quotes = []
            # What introduces the list: a sentence ending in ：, or the section's own heading line
            # when it says more than the section's title ((四)聚焦研究重点。 alone is already named
            # where the answer says which part of the document it quotes).
            intro = [u for u in units if (u.kind == "intro" or (u.line == 0 and u.item_label and not _is_title(u, p, units)))
                     and u.line < items[0].line]
            if intro:
                quotes.append(Quote(p, intro[-1].start, intro[-1].end))
            for it in items[: self.max_items]:
                quotes.append(Quote(p, it.start, it.end))
            return quotes
        # A heading-only passage ((四)聚焦研究重点。) introduces items held as its own sections; a
        # numbered item (3. 质量共性技术研究) is one of its siblings.
        children: list[Passage] = []
        if len(p.text.strip()) <= 30:
            children = self.sources.children(p.doc_id, p.locator)
        elif len(p.heading_path) >= 2 and p.heading_path[-1][:1].isdigit():
            children = self.sources.children(p.doc_id, " > ".join(p.heading_path[:-1]))
        if len(children) < 2:
            return None
        quotes = []
        for q in children[: self.max_items]:
            us = split_passage(0, q)
            if us:
                quotes.append(Quote(q, us[0].start, us[0].end))
        return quotes

    # -- drafting -----------------------------------------------------------------------------
    def draft(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Draft:
        chosen = self.select(analysis, passages)
        d = Draft()
        if not chosen:
            return d
        items = self._list_items(analysis, passages, chosen[0][0], chosen[0][1])
        if items:
            style = "list" if len({q.passage.chunk_id for q in items}) == 1 else "list-multi"
            d.blocks.append((items[0].passage, items, style))
            chosen = chosen[1:]
        for pi, units in chosen:
            p = passages[pi]
            d.blocks.append((p, self._merge(p, units), "prose"))
        self._add_version_notes(analysis, passages, d)
        return d

    @staticmethod
    def _merge(p: Passage, units: list[Unit]) -> list[Quote]:
        """Adjacent sentences of one passage become one quote (still a verbatim span)."""
        all_units = split_passage(0, p)
        index = {(u.start, u.end): i for i, u in enumerate(all_units)}
        quotes: list[Quote] = []
        last_i = None
        for u in units:
            i = index.get((u.start, u.end))
            if quotes and last_i is not None and i is not None and i == last_i + 1:
                quotes[-1].end = u.end
            else:
                quotes.append(Quote(p, u.start, u.end))
            last_i = i
        return quotes

    # -- versions -----------------------------------------------------------------------------
    def _side_quote(self, side: Side, passages: list[Passage]) -> Quote | None:
        cands = [p for p in passages if p.doc_id == side.doc_id and locator_matches(p.locator, side.locator)]
        found = self.sources.section(side.doc_id, side.locator)
        if found:
            cands.append(found)
        for p in cands:
            for u in split_passage(0, p):
                if side.anchor in u.text:
                    return Quote(p, u.start, u.end)
        return None

    def _add_version_notes(self, analysis: QuestionAnalysis, passages: list[Passage], d: Draft) -> None:
        cited = [p for p, _, _ in d.blocks]
        q = analysis.text.lower()
        for pair in VERSION_PAIRS:
            new_cited = any(p.doc_id == pair.new.doc_id and locator_matches(p.locator, pair.new.locator) for p in cited)
            old_cited = any(p.doc_id == pair.old.doc_id and locator_matches(p.locator, pair.old.locator) for p in cited)
            triggered = any(t.lower() in q for t in pair.triggers)
            if not triggered:
                continue
            old_retrieved = any(p.doc_id == pair.old.doc_id and locator_matches(p.locator, pair.old.locator) for p in passages)
            # Worth stating when the answer leans on the earlier wording, when the question compares
            # the texts, or when retrieval brought up the earlier wording on the point asked.
            if not (old_cited or asks_about_versions(analysis.text) or (new_cited and old_retrieved)):
                continue
            new_q = self._side_quote(pair.new, passages)
            old_q = self._side_quote(pair.old, passages)
            if not new_q or not old_q:
                continue
            if old_cited and not _COMPARES.search(analysis.text):
                # The answer quotes the 2022 text (naming it is not comparing it): the 2023 rule
                # is noted only when the point on which the two differ is the point asked (对符合
                # 条件的…投资补助 for 资金支持), not another sentence of the same 2022 paragraph
                # (who bears the running costs is not what 第二十八条 changed).
                topical = [g for g in analysis.groups if g.source not in _DOC_NAME_WORDS and not g.source[:1].isdigit()]
                if not any(g.matches(old_q.text) for g in topical):
                    continue
            if not (old_cited or asks_about_versions(analysis.text)):
                # The answer already quotes the 2023 rule and the question does not ask about the
                # earlier text: the older wording is worth adding only when it speaks to a part of
                # the question the answer leaves open (随机抽查 next to 每3年…综合评价), not when
                # it says the same thing in older words.
                quoted = " ".join(q.text for _, qs, _ in d.blocks for q in qs)
                lacking = [g for g in analysis.groups if not g.matches(quoted)]
                if not any(g.matches(old_q.text) for g in lacking):
                    continue
            topic = pair.topic_en if analysis.language == "en" else pair.topic_zh
            d.notes.append((topic, [new_q, old_q]))

    # -- wording ------------------------------------------------------------------------------
    def answer(self, analysis: QuestionAnalysis, passages: list[Passage]) -> Answer:
        d = self.draft(analysis, passages)
        if not d.blocks:
            return Answer(text="", refused=True, language=analysis.language, backend=self.name)
        return render(d, analysis.language, backend=self.name)


_MAX_JOINED_QUOTE = 300


def render(d: Draft, lang: str, backend: str = "extractive", lead_zh: str | None = None, lead_en: str | None = None,
           standing_note: bool = True) -> Answer:
    """Word a draft: one line per block, markers numbered by passage, citations for every quote."""
    markers: dict[str, int] = {}
    spans: dict[int, tuple[Passage, int, int]] = {}

    def mark(q: Quote) -> int:
        # One citation per passage, whatever number of quotes the text takes from it: its quote is
        # the span from the first quoted word to the last (still a verbatim span of the document),
        # so the reader sees each source once, under the one marker the text uses for it.
        n = markers.setdefault(q.passage.chunk_id, len(markers) + 1)
        p, s, e = spans.get(n, (q.passage, q.start, q.end))
        spans[n] = (p, min(s, q.start), max(e, q.end))
        return n

    lines: list[str] = []
    if lang == "en":
        lines.append(lead_en or "Here is what the documents say (quoted in the original Chinese):")
    elif lead_zh:
        lines.append(lead_zh)
    first = True
    prev_doc = None
    for p, quotes, style in d.blocks:
        name = cite_name(p, lang)
        if style.startswith("list"):
            head = quotes[0] if quotes and not quotes[0].text.lstrip().startswith(("（", "(", "1", "—")) else None
            body = quotes[1:] if head else quotes
            if lang == "en":
                lines.append(f"{EN_TITLES.get(p.doc_id, '')} — {name}:" if first else f"{name}:")
            else:
                lead = "根据" if first else "另据"
                if style == "list-multi":
                    parent = " > ".join(p.heading_path[:-1]) or p.locator
                    lines.append(f"{lead}{cite_name(p.model_copy(update={'locator': parent}), lang)}，有以下几项：")
                else:
                    lines.append(f"{lead}{name}：")
            if head:
                lines.append(f"“{head.text}”[{mark(head)}]")
            for q in body:
                lines.append(f"- “{q.text}”[{mark(q)}]")
        else:
            quoted = "……".join(f"“{q.text}”" for q in quotes)
            n = None
            for q in quotes:
                n = mark(q)
            if lang == "en":
                title = EN_TITLES.get(p.doc_id, "")
                lines.append(f"- {title}, {name}: {quoted} [{n}]" if title else f"- {name}: {quoted} [{n}]")
            elif first:
                lines.append(f"根据{name}：{quoted}[{n}]")
            elif prev_doc == p.doc_id and p.locator.startswith("第"):
                lines.append(f"同一文件{p.locator}还规定：{quoted}[{n}]")
            else:
                lines.append(f"另据{name}：{quoted}[{n}]")
        first = False
        prev_doc = p.doc_id
    for topic, (new_q, old_q) in d.notes:
        a, b = mark(new_q), mark(old_q)
        if lang == "en":
            lines.append(
                f"Note on versions ({topic}): the operative rule is {cite_name(new_q.passage, lang)}: “{new_q.text}” [{a}]; "
                f"the earlier guidance ({cite_name(old_q.passage, lang)}) said: “{old_q.text}” [{b}]. The current Measures apply."
            )
        else:
            lines.append(
                f"版本说明（{topic}）：现行{cite_name(new_q.passage)}的规定是“{new_q.text}”[{a}]；"
                f"此前{cite_name(old_q.passage)}的表述是“{old_q.text}”[{b}]，以现行《管理办法》为准。"
            )
    if standing_note and not d.notes and any(p.doc_id == GUIDANCE for p, _, _ in d.blocks) and not any(p.doc_id == MEASURES for p, _, _ in d.blocks):
        lines.append(
            "Note: this comes from the earlier Guiding Opinions; applications and management now follow the "
            "Measures for the Administration of State Quality & Standards Laboratories."
            if lang == "en"
            else "注：以上出自此前印发的《关于推进国家级质量标准实验室建设的指导意见》；申报和管理以现行《国家质量标准实验室管理办法》为准。"
        )
    citations: list[Citation] = []
    for n, (p, s, e) in sorted(spans.items()):
        if e - s > _MAX_JOINED_QUOTE:
            # Quotes far apart in a long section: the citation keeps the first one rather than
            # the whole stretch between them (the passage itself stays in ``Citation.text``).
            first = next(q for _, qs, _ in d.blocks for q in qs if q.passage.chunk_id == p.chunk_id) if any(
                q.passage.chunk_id == p.chunk_id for _, qs, _ in d.blocks for q in qs) else None
            if first is not None:
                s, e = first.start, first.end
        citations.append(make_citation(p, p.text[s:e], n))
    return Answer(text="\n".join(lines), refused=False, citations=citations, language=lang, backend=backend)
