"""What a question asks for: the kind of answer, the kind of fact, and the concepts it names.

``analyse(question, lexicon)`` reads the wording only (no model):

- ``kind``: number (多少/几/how many), duration (多久/期限/how long), when (什么时候/when),
  who (谁/哪个部门/who), list (哪些/有什么/包括/what are the), yesno (吗/是否/能否/can/is there),
  how (怎么/如何/流程/how do), or general.
- ``fact``: a fact that must literally appear in a passage for the documents to answer at all:
  money (金额/多少钱/补助多少/fee), date (截止/哪天/日期/deadline), contact (电话/邮箱/地址),
  person (叫什么/姓名/现任). Questions whose fact the passages never hold are refused
  (see ``refusal.py``).
- ``groups``: the concepts named, as document words with weights (``lexicon.py``).

It does not resolve follow-ups (``condense.py`` does that first) and does not parse clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .language import detect_language
from .lexicon import Lexicon, TermGroup

Kind = Literal["number", "duration", "when", "who", "list", "yesno", "how", "general"]
Fact = Literal["money", "date", "contact", "person"]

_ZH_KIND: list[tuple[Kind, re.Pattern[str]]] = [
    ("duration", re.compile(r"多久|多长时间|多长|几年|几个月|期限|任期|周期|时长")),
    ("when", re.compile(r"什么时候|何时|哪天|几号|哪一年|哪年|几月|什么时间|截止|时间节点|日期")),
    ("who", re.compile(r"谁|哪个部门|哪些部门|哪个单位|哪一级|什么部门|什么单位|由哪|哪个机构|什么机构|谁来")),
    ("number", re.compile(r"多少|几[个项名人家次类种条]|多大|多高|比例|数量|金额|规模|人数|总额")),
    ("list", re.compile(r"哪些|哪几|有什么|包括什么|包含什么|包括哪|主要职责|职责是什么|什么条件|什么要求|条件是什么|要求是什么|分为")),
    ("how", re.compile(r"怎么|如何|怎样|流程|程序|步骤|途径|方式")),
    ("yesno", re.compile(r"吗[？?。]?$|是否|能否|可否|能不能|可不可以|是不是|有没有|要不要|需不需要|会不会|算不算|行不行")),
]

_EN_KIND: list[tuple[Kind, re.Pattern[str]]] = [
    ("duration", re.compile(r"\bhow long\b|\bduration\b|\bterm\b|\bperiod\b", re.I)),
    ("when", re.compile(r"\bwhen\b|\bdeadline\b|\bwhat date\b|\bwhich date\b", re.I)),
    ("who", re.compile(r"\bwho\b|\bwhich (body|bodies|department|departments|authority|authorities|agency|organisation|organization)\b", re.I)),
    ("number", re.compile(r"\bhow (many|much|large|big)\b|\bminimum\b|\bat least\b|\bnumber of\b|\bamount\b", re.I)),
    ("list", re.compile(r"\bwhat are\b|\bwhich\b|\blist\b|\bconditions\b|\brequirements\b|\bduties\b|\bresponsibilities\b", re.I)),
    ("how", re.compile(r"\bhow (do|does|can|to|should|is)\b|\bprocess\b|\bprocedure\b|\bsteps\b", re.I)),
    ("yesno", re.compile(r"^(can|could|is|are|do|does|must|should|will|may|has|have)\b", re.I)),
]

_ZH_FACT: list[tuple[Fact, re.Pattern[str]]] = [
    ("contact", re.compile(r"电话|热线|联系方式|联系人|邮箱|邮件地址|网址|网站|官网|办公地址|地址在哪|办公地点|咨询窗口")),
    ("person", re.compile(r"叫什么名字|姓名|名字是|现任|哪位专家|是哪位|名单")),
    ("money", re.compile(r"多少钱|多少万|多少元|金额|钱数|补助多少|补贴多少|资助多少|奖励多少|扶持多少|费用是多少|收费|申报费|评审费|手续费|缴费|交费|交钱")),
    ("date", re.compile(r"截止|截至|哪天|几号|几月几日|具体日期|哪一天|什么日期|哪一年|几月份|开始申报|何时开始|什么时候开始|什么时候启动|批次")),
]

_EN_FACT: list[tuple[Fact, re.Pattern[str]]] = [
    ("contact", re.compile(r"\bphone\b|\btelephone\b|\bhotline\b|\bcontact\b|\be-?mail\b|\bwebsite\b|\baddress\b", re.I)),
    ("person", re.compile(r"\bwho is the (current|present)\b|\bname of the (person|chair|director)\b|\bwhat is (his|her) name\b", re.I)),
    ("money", re.compile(r"\bhow much (money|funding|subsidy|support)\b|\bfee\b|\bfees\b|\bcost\b|\bamount of (money|funding|subsidy)\b|\byuan\b|\brmb\b", re.I)),
    ("date", re.compile(r"\bdeadline\b|\bwhat date\b|\bwhich date\b|\bwhen (does|do|will) (the )?(application|call|round)s? (open|close|start|begin)\b", re.I)),
]

_EXPLICIT_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两\d]+条")


@dataclass
class QuestionAnalysis:
    text: str
    language: Literal["zh", "en"]
    kind: Kind
    fact: Fact | None
    groups: list[TermGroup] = field(default_factory=list)
    focus: set[str] = field(default_factory=set)
    article: str | None = None

    @property
    def total_weight(self) -> float:
        return sum(g.weight for g in self.groups)

    def group_weight(self, g: TermGroup) -> float:
        # Words of the follow-up itself ("那延期呢" -> 延期) count double against the context
        # words carried over from the previous question.
        return g.weight * (2.0 if g.source in self.focus else 1.0)

    def coverage(self, text: str) -> float:
        """Weighted share of the question's concepts that ``text`` expresses (0..1)."""
        total = sum(self.group_weight(g) for g in self.groups)
        if total <= 0:
            return 0.0
        return sum(self.group_weight(g) for g in self.groups if g.matches(text)) / total


def _first_kind(question: str, table) -> Kind:
    for kind, pattern in table:
        if pattern.search(question):
            return kind
    return "general"


def analyse(question: str, lexicon: Lexicon, focus_text: str | None = None) -> QuestionAnalysis:
    """Analyse ``question`` (already self-contained). ``focus_text``: the user's own words of a follow-up."""
    lang = detect_language(question)
    q = question.strip()
    kind = _first_kind(q, _EN_KIND if lang == "en" else _ZH_KIND)
    fact: Fact | None = None
    for f, pattern in _EN_FACT if lang == "en" else _ZH_FACT:
        if pattern.search(q):
            fact = f
            break
    groups = lexicon.term_groups(q)
    focus: set[str] = set()
    if focus_text and focus_text.strip() != q:
        focus = {g.source for g in lexicon.term_groups(focus_text)}
    m = _EXPLICIT_ARTICLE.search(q)
    return QuestionAnalysis(
        text=q, language=lang, kind=kind, fact=fact, groups=groups, focus=focus, article=m.group(0) if m else None
    )
