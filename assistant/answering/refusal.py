"""The refusal gate: decides, without any model, whether the retrieved passages answer at all.

Signals (all from the question's wording and the passages' text):
- the question asks for a kind of fact that must literally be printed to be given — an amount of
  money (元), a date, a phone number or address, a person's name — and no retrieved sentence that
  is about the question's subject (in a top passage, or covering the question well elsewhere)
  holds one (补助“一定的”, no amount: refuse);
- the question asks for a number or a duration (多少/几天/多久) and no sentence about its subject
  holds one (现场考察 is named, its length never is: refuse);
- the sentences cover too little of the question's concepts (``coverage`` below ``min_coverage``):
  the documents talk about something else.

Thresholds are settings of the gate, calibrated on the development set (eval/questions.jsonl) by
``python -m assistant.evaluation.answers --calibrate``; see eval/REPORT.md.

A refusal says the documents do not specify it, quotes the nearest thing they do say (and a
实施细则 另行制定 sentence when one was retrieved), and points to who can answer: the recommending
body of 第十条. It never guesses the missing fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.types import Answer, Passage

from .extractive import Draft, Quote, render, score_units, without_dangling_intros
from .lexicon import Lexicon
from .question import QuestionAnalysis, holds
from assistant.corpus.sources import Sources
from .standing import MEASURES
from .units import split_passage

_ZH_QUALIFIED = re.compile(r"([\u4e00-\u9fff]{2,3}?)(?:企业|公司|单位|机构|院所|高校|大学)(?:可以|能|能否|可否|是否|有资格)")
_EN_QUALIFIED = re.compile(r"\b([a-z]+(?:-[a-z]+)?)\s+(?:company|companies|enterprise|enterprises|firm|firms|institution|institutions|university|universities)\b", re.I)

_WHAT_ZH = {
    "money": "具体金额",
    "date": "具体日期或时间安排",
    "contact": "联系电话、地址等联系方式",
    "person": "具体人员或名单",
    "number": "具体数量",
    "duration": "具体时长",
    "when": "具体时间",
}
_WHAT_EN = {
    "money": "an amount of money",
    "date": "a date or timetable",
    "contact": "a phone number, address or other contact",
    "person": "any names",
    "number": "a number for this",
    "duration": "a length of time for this",
    "when": "a time for this",
}


@dataclass
class GateDecision:
    refuse: bool
    reason: str | None
    coverage: float
    missing: str | None = None  # the kind of fact the passages lack


@dataclass
class RefusalGate:
    sources: Sources
    lexicon: Lexicon | None = None
    min_coverage: float = 0.05
    fact_coverage: float = 0.5
    number_coverage: float = 0.5
    top_ranks: int = 2
    top_rank_coverage: float = 0.25
    rare_df: int = 1

    def _topic_coverage(self, analysis: QuestionAnalysis, p: Passage, text: str) -> float:
        # A sentence is about the question's subject when it (with its section heading) covers enough.
        context = " ".join([*p.heading_path[-2:], p.doc_short_title])
        return max(analysis.coverage(text), analysis.coverage(text + " " + context) * 0.9)

    def decide(self, analysis: QuestionAnalysis, passages: list[Passage]) -> GateDecision:
        if not passages:
            return GateDecision(True, "retrieval returned nothing", 0.0)
        if not analysis.groups:
            # No word of the question maps onto the documents' words (an English question outside
            # the glossary): coverage says nothing; only a fact that must be printed is checked.
            if analysis.fact and not any(holds(u.text, analysis.fact) for i, p in enumerate(passages) for u in split_passage(i, p)):
                return GateDecision(True, f"no retrieved sentence gives {analysis.fact}", 0.0, analysis.fact)
            return GateDecision(False, None, 1.0)
        units = [(rank, p, u) for rank, p in enumerate(passages) for u in split_passage(rank, p)]
        covs = [self._topic_coverage(analysis, p, u.text) for _, p, u in units]
        best = max(covs, default=0.0)
        if best < self.min_coverage:
            return GateDecision(True, f"coverage {best:.2f} below {self.min_coverage:.2f}", best)

        def printed(kind: str, coverage: float) -> bool:
            # A fact of ``kind`` printed in a sentence on the subject: in one of the top passages
            # (which retrieval judged on meaning; a question with a second part covers less of
            # each) or in any passage that covers the question at least ``coverage``.
            return any(
                holds(u.text, kind) and ((rank < self.top_ranks and c >= self.top_rank_coverage) or c >= coverage)
                for (rank, _, u), c in zip(units, covs)
            )

        if analysis.fact and not printed(analysis.fact, self.fact_coverage):
            return GateDecision(True, f"no retrieved sentence on the subject gives {analysis.fact}", best, analysis.fact)
        if analysis.kind in ("number", "duration") and analysis.parts == 1:
            if not printed(analysis.kind, self.number_coverage):
                return GateDecision(True, f"no retrieved sentence on the subject gives a {analysis.kind}", best, analysis.kind)
        if analysis.kind == "yesno":
            rare = self._unaddressed_case(analysis, passages)
            if rare:
                return GateDecision(True, f"the documents mention “{rare}” only elsewhere, never on this subject", best)
        return GateDecision(False, None, best)

    def _unaddressed_case(self, analysis: QuestionAnalysis, passages: list[Passage]) -> str | None:
        """Whether a 能不能/可以…吗 question turns on a kind of applicant the documents never address.

        外资企业可以作为依托单位申报吗: the documents name their hosts (科研院所、高等院校、企业)
        without such qualifiers; 外资 occurs once in the corpus (辽宁's plan, on the certification
        market) and in none of the passages retrieved for the question. Saying 企业 may apply would
        answer more than the documents say. Only a qualifier of the applicant (X企业, X公司, X机构,
        foreign-invested company) that the corpus prints at most ``rare_df`` times counts.
        """
        if self.lexicon is None:
            return None
        text = " ".join(p.text for p in passages)
        if analysis.language == "en":
            m = _EN_QUALIFIED.search(analysis.text)
            candidates = [g for g in analysis.groups if m and g.source.split("-")[0] in m.group(1).lower()]
            quals = [(g.source, g.variants) for g in candidates]
        else:
            quals = [(m.group(1), (m.group(1),)) for m in _ZH_QUALIFIED.finditer(analysis.text)]
        for source, variants in quals:
            dfs = [self.lexicon.df(v) for v in variants]
            if not 1 <= max(dfs, default=0) <= self.rare_df or re.search(r"[几多两一二三四五六七八九十\d]", source):
                # Either a kind of applicant the documents do speak of (地方企业), a word they never
                # print (nothing to compare with), or a count (几家单位), not a kind.
                continue
            if not any(v in text for v in variants):
                return source
        return None

    # -- the refusal answer -------------------------------------------------------------------------
    def answer(self, analysis: QuestionAnalysis, passages: list[Passage], decision: GateDecision) -> Answer:
        lang = analysis.language
        d = Draft()
        # The nearest things the documents do say: the best-covering sentences (three at most,
        # from two passages at most).
        scored = [s for s in score_units(analysis, passages) if s.coverage > 0]
        picked: dict[int, list] = {}
        for s in scored:
            if sum(len(v) for v in picked.values()) >= 3:
                break
            if s.unit.passage in picked or len(picked) < 2:
                picked.setdefault(s.unit.passage, []).append(s.unit)
        # 实施细则 另行制定: the documents say the details come later; that is the honest "nearest".
        for i, p in enumerate(passages[:5]):
            for u in split_passage(i, p):
                if "另行制定" in u.text and u not in picked.get(i, []):
                    picked.setdefault(i, []).append(u)
        seen: set[str] = set()
        for i, units in picked.items():
            p = passages[i]
            seen.add(p.chunk_id)
            units = without_dangling_intros(sorted(units, key=lambda u: u.start), None)
            d.blocks.append((p, [Quote(p, u.start, u.end) for u in units], "prose"))
        what = (_WHAT_EN if lang == "en" else _WHAT_ZH).get(decision.missing or "", None)
        if lang == "en":
            head = f"The documents do not specify {what}." if what else "The documents do not answer this question."
            if d.blocks:
                head += " The closest they say (quoted in the original Chinese):"
        else:
            head = f"现有文件没有规定{what}。" if what else "现有文件没有回答这个问题。"
            if d.blocks:
                head += "文件中最接近的内容是："
        pointer = self._pointer(passages, seen) if scored else None
        ans = render(d, lang, backend="extractive", lead_zh=head, lead_en=head, standing_note=False) if d.blocks else None
        text = ans.text if ans else head
        citations = ans.citations if ans else []
        if pointer:
            n = len({c.marker for c in citations}) + 1
            if lang == "en":
                text += f"\nFor a definite answer, ask the body that recommends your application ({pointer.passage.locator} of the Measures): “{pointer.text}” [{n}]"
            else:
                text += f"\n如需确切答复，可咨询负责推荐的单位（《国家质量标准实验室管理办法》{pointer.passage.locator}）：“{pointer.text}”[{n}]"
            from .citations import make_citation

            citations = [*citations, make_citation(pointer.passage, pointer.text, n)]
        return Answer(text=text, refused=True, citations=citations, language=lang, backend="extractive")

    def _pointer(self, passages: list[Passage], seen: set[str]) -> Quote | None:
        """The two sentences of 第十条 that say who recommends an application."""
        p = next((q for q in passages if q.doc_id == MEASURES and q.locator == "第十条"), None) or self.sources.section(MEASURES, "第十条")
        if p is None or p.chunk_id in seen:
            return None
        units = [u for u in split_passage(0, p) if "推荐" in u.text and u.kind == "sentence" and not u.item_label]
        if not units:
            return None
        return Quote(p, units[0].start, units[min(1, len(units) - 1)].end)
