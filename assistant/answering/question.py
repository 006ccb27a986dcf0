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
Fact = Literal["money", "date", "contact", "person", "detail"]

_ZH_KIND: list[tuple[Kind, re.Pattern[str]]] = [
    ("list", re.compile(r"哪些|哪几|有哪|包括哪|分为哪|几种|几类|哪几种|包括什么|包含什么|主要职责|职责是什么|分为")),
    ("duration", re.compile(r"多久|多长时间|多长|几年|几个月|几天|多少天|期限|任期|周期|时长")),
    ("when", re.compile(r"什么时候|何时|哪天|几号|哪一年|哪年|几月|什么时间|截止|时间节点|日期")),
    ("who", re.compile(r"谁|哪个部门|哪个部委|哪个单位|哪一级|什么部门|什么单位|由哪|哪个机构|什么机构|谁来|交给哪|找哪")),
    ("number", re.compile(r"多少|几[个项名人家次类种条张]|多大|多高|比例|数量|金额|规模|人数|总额")),
    ("how", re.compile(r"怎么|如何|怎样|流程|程序|步骤|途径|方式|手续")),
    ("yesno", re.compile(r"吗[？?。]?$|是否|能否|可否|能不能|可不可以|是不是|有没有|要不要|需不需要|会不会|算不算|行不行")),
]

# A clause that ends in 吗 and asks for no figure is a yes/no question, whatever words it holds
# (几家单位可以联合申报吗？ asks whether, not how many).
_ZH_YESNO_CLAUSE = re.compile(r"吗[？?。！!]*$")
_ZH_FIGURE = re.compile(r"多少|几[个项名人次类种条天年月]|多久|多长|什么时候|何时|哪天")

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
    ("person", re.compile(
        r"叫什么名字|姓名|名字是|现任|现在是谁|目前是谁|是哪位|哪位专家|名单是|名单有"
        r"|已经?(?:获批|批准|入选|认定|建成|挂牌)的.*(?:有哪些|哪几|名单)|(?:获批|批准|入选)(?:建设)?的.*名单"
    )),
    ("money", re.compile(
        r"多少钱|多少万|多少元|金额|钱数|(?:补助|补贴|资助|奖励|扶持|扶助|经费|资金|拨款|薪酬|工资|待遇)[^，。？?]{0,6}多少"
        r"|多少(?:经费|资金|补助|补贴|奖励|奖金|扶助资金|拨款)|费用是多少|收费|申报费|评审费|手续费|缴费|交费|交钱|交多少"
    )),
    ("date", re.compile(r"截止|截至|哪天|几号|几月几日|具体日期|哪一天|什么日期|几月份|开始申报|何时开始|什么时候启动|批次")),
    # Details the documents leave to the 实施细则 (第十三条: 另行制定); they answer only if they print them.
    ("detail", re.compile(r"格式|模板|范本|表格|下载|填报系统|申报系统|网上申报|材料清单|清单|申诉|复议|投诉|不服")),
]

_EN_FACT: list[tuple[Fact, re.Pattern[str]]] = [
    ("contact", re.compile(r"\bphone\b|\btelephone\b|\bhotline\b|\bcontact\b|\be-?mail\b|\bwebsite\b|\baddress\b", re.I)),
    ("person", re.compile(r"\bwho is the (current|present)\b|\bname of the (person|chair|director)\b|\bwhat is (his|her) name\b", re.I)),
    ("money", re.compile(r"\bhow much (money|funding|subsidy|support)\b|\bfee\b|\bfees\b|\bcost\b|\bamount of (money|funding|subsidy)\b|\byuan\b|\brmb\b", re.I)),
    ("date", re.compile(r"\bdeadline\b|\bwhat date\b|\bwhich date\b|\bwhen (does|do|will) (the )?(application|call|round)s? (open|close|start|begin)\b", re.I)),
]

# Names applicants use for the five documents (ids as in corpus/catalog.json).
_DOC_NAMES: list[tuple[str, re.Pattern[str]]] = [
    ("nqsl-measures-2023", re.compile(r"管理办法|\bMeasures\b", re.I)),
    ("qi-supply-chain-2024", re.compile(r"五部门|5部门|产业链供应链|联动提升|five-department|supply chain", re.I)),
    ("nqsl-guidance-2022", re.compile(r"(?<!五部门)(?<!5部门)指导意见|2022\s*(?:年的?)?\s*(?:guidance|指导)", re.I)),
    ("quality-power-outline-2023", re.compile(r"纲要|质量强国|\bOutline\b", re.I)),
    ("liaoning-qi-plan-draft-2022", re.compile(r"辽宁|Liaoning", re.I)),
]


def named_documents(text: str) -> set[str]:
    """Ids of the documents ``text`` names (五部门…指导意见 names the 2024 text, not the 2022 one)."""
    docs = {doc_id for doc_id, pattern in _DOC_NAMES if pattern.search(text)}
    if "qi-supply-chain-2024" in docs:
        docs.discard("nqsl-guidance-2022")
    return docs

# 几 asks (几年, 几项) except in 好几 / 几乎 / 十几 (列了好几条 states, it does not ask).
# 还是 joins the two answers of an alternative question (国家给还是自己筹？).
_ZH_ASKING = re.compile(r"谁|哪|什么|多少|(?<![好十])几(?!乎)|多久|多长|怎么|如何|怎样|吗|是否|能否|有没有|会不会|要不要|呢|还是")
_EN_ASKING = re.compile(r"\b(who|which|what|how|when|where|whether|can|is|are|do|does|must)\b", re.I)


def _zh_clauses(q: str) -> list[str]:
    """The clauses of a Chinese question; a clause is cut again at 、 when every piece asks
    something (承担什么责任、提供哪些保障), not when 、 only lists things (主任、委员分别…)."""
    out: list[str] = []
    for c in re.split(r"[？?；;。！!，,]", q):
        subs = c.split("、")
        if len(subs) > 1 and all(_ZH_ASKING.search(x) for x in subs):
            out.extend(subs)
        else:
            out.append(c)
    return out


def count_parts(q: str, lang: str) -> int:
    """Number of clauses that ask something (建设期一般几年？到期…最多能延长多久？ -> 2)."""
    if lang == "en":
        clauses = re.split(r"[?;]|,\s*and\b|\band\b(?=\s+(?:how|what|who|which|when|can|is|are|do|does|must)\b)", q)
        n = sum(1 for c in clauses if _EN_ASKING.search(c))
    else:
        clauses = _zh_clauses(q)
        n = sum(1 for c in clauses if _ZH_ASKING.search(c))
        if "分别" in q:
            n = max(n, 2)
    return max(n, 1)


_CONJ = re.compile(r"和|与|及|、|以及")


def part_texts(q: str, lang: str, words: list[str] | None = None) -> list[str]:
    """The pieces of the question that each want an answer: its asking clauses, and for 分别 the
    things named before it (实验室主任和学术委员会主任分别… -> 实验室主任, 学术委员会主任).
    ``words``: the question's concept words, never cut at a 和 inside them (工业和信息化部)."""
    if lang == "en":
        clauses = re.split(r"[?;]|,\s*and\b|\band\b(?=\s+(?:how|what|who|which|when|can|is|are|do|does|must)\b)", q)
        parts = [c.strip() for c in clauses if _EN_ASKING.search(c)]
    else:
        clauses = _zh_clauses(q)
        parts = [c.strip() for c in clauses if _ZH_ASKING.search(c)]
        for c in clauses:
            if "分别" not in c:
                continue
            head = c.split("分别")[0]
            protected = [(m.start(), m.end()) for w in (words or []) if len(w) > 1 for m in re.finditer(re.escape(w), head)]
            cuts = [m for m in _CONJ.finditer(head) if not any(a <= m.start() < b for a, b in protected)]
            pieces, pos = [], 0
            for m in cuts:
                pieces.append(head[pos:m.start()])
                pos = m.end()
            pieces.append(head[pos:])
            pieces = [x.strip() for x in pieces if x.strip()]
            if len(pieces) >= 2:
                parts = [x for x in parts if x != c.strip()] + pieces
    return parts or [q]


def respective_pieces(q: str, lang: str, words: list[str] | None = None) -> list[str]:
    """The things named before 分别 (实验室主任和学术委员会主任分别… -> both), each asked about on
    its own; empty when the question has no 分别."""
    if lang == "en" or "分别" not in q:
        return []
    heads = [c.split("分别")[0] for c in _zh_clauses(q) if "分别" in c]
    return [x for x in part_texts(q, lang, words) if any(x in h for h in heads) and not _ZH_ASKING.search(x)]


# 除了搞科研，还… / 除科研以外… / besides research, …: the thing named is what the applicant
# already knows of; the question asks about something else.
_ZH_GIVEN = re.compile(r"除了(.+?)(?:以外|之外)?(?=[，,。？?；;]|还|也|另外)|除(.+?)(?:以外|之外)")
_EN_GIVEN = re.compile(r"\b(?:besides|apart from|other than|in addition to|aside from)\s+([^,?;]+)", re.I)
_GIVEN_WEIGHT = 0.1


def given_words(q: str, lang: str, words: list[str]) -> set[str]:
    """The question's concept words that only occur in what it sets aside (除了X, besides X)."""
    pattern = _EN_GIVEN if lang == "en" else _ZH_GIVEN
    spans = [m.span(i) for m in pattern.finditer(q) for i in range(1, pattern.groups + 1) if m.group(i)]
    if not spans:
        return set()
    rest = q
    for a, b in reversed(spans):
        rest = rest[:a] + " " + rest[b:]
    inside = " ".join(q[a:b] for a, b in spans).lower()
    return {w for w in words if w.lower() in inside and w.lower() not in rest.lower()}


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
    documents: set[str] = field(default_factory=set)
    parts: int = 1  # how many things the question asks (两个问句, 分别 …)
    pieces: list[str] = field(default_factory=list)  # the texts of those parts (``part_texts``)
    respective: list[str] = field(default_factory=list)  # the things asked about 分别 (``respective_pieces``)
    given: set[str] = field(default_factory=set)  # concepts the question takes as known (``given_words``)

    @property
    def total_weight(self) -> float:
        return sum(g.weight for g in self.groups)

    def group_weight(self, g: TermGroup) -> float:
        # Words of the follow-up itself ("那延期呢" -> 延期) count double against the context
        # words carried over from the previous question; what the question sets aside as known
        # (除了搞科研，还要…) counts for little: the answer is about the rest.
        if g.source in self.focus:
            return g.weight * 2.0
        return g.weight * (_GIVEN_WEIGHT if g.source in self.given else 1.0)

    def part_details(self) -> list[tuple[list[TermGroup], set[str], bool]]:
        """Per part with a concept of its own: its concepts, the documents the part names (纲要对…
        有什么部署 -> the 纲要; empty when it names none) and whether it is one of the things asked
        about 分别."""
        out = []
        for piece in self.pieces:
            low = piece.lower()
            gs = [g for g in self.groups if g.source.lower() in low]
            if gs:
                out.append((gs, named_documents(piece), piece in self.respective))
        return out

    def coverage(self, text: str) -> float:
        """Weighted share of the question's concepts that ``text`` expresses (0..1)."""
        total = sum(self.group_weight(g) for g in self.groups)
        if total <= 0:
            return 0.0
        return sum(self.group_weight(g) * g.strength(text) for g in self.groups) / total


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
    if lang == "zh" and kind != "list" and _ZH_YESNO_CLAUSE.search(q):
        clauses = [c for c in re.split(r"[？?。！!；;]", q) if c.strip()]
        if not _ZH_FIGURE.search(clauses[-1] if clauses else q):
            kind = "yesno"
    fact: Fact | None = None
    for f, pattern in _EN_FACT if lang == "en" else _ZH_FACT:
        # Whether a list will be published (名单…会公开吗) is a yes/no question, not a request for names.
        if pattern.search(q) and not (f == "person" and kind == "yesno"):
            fact = f
            break
    groups = lexicon.term_groups(q)
    focus: set[str] = set()
    if focus_text and focus_text.strip() != q:
        focus = {g.source for g in lexicon.term_groups(focus_text)}
    m = _EXPLICIT_ARTICLE.search(q)
    docs = named_documents(q)
    words = [g.source for g in groups]
    pieces = part_texts(q, lang, words)
    if len(pieces) > 1:
        # 2022年指导意见和五部门的…文件分别怎么说: each part names its own document, so the 2022
        # 指导意见 stays among the documents asked about though 五部门…指导意见 also names the 2024 text.
        for piece in pieces:
            docs |= named_documents(piece)
    parts = count_parts(q, lang)
    respective = respective_pieces(q, lang, words)
    if respective:
        # 实验室主任和学术委员会主任分别由谁推荐、由什么人担任: each thing named, and each further
        # asking clause, wants its own answer.
        parts = max(parts, len(pieces))
    return QuestionAnalysis(
        text=q, language=lang, kind=kind, fact=fact, groups=groups, focus=focus, article=m.group(0) if m else None,
        documents=docs, parts=parts, pieces=pieces, respective=respective, given=given_words(q, lang, words),
    )


# What a sentence must contain to answer a kind of question or give a kind of fact.
_NUM = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万半]+)"
EVIDENCE: dict[str, re.Pattern[str]] = {
    "number": re.compile(rf"\d|[一二两三四五六七八九十百千半]+\s*(?:个月|年|项|个|名|人|家|次|类|种|倍|万|亿|张)|若干|单数"),
    "duration": re.compile(rf"{_NUM}\s*(?:个)?(?:年|月|天|日)(?!度)|期限|任期|半年|期满|以内"),
    "when": re.compile(rf"\d{{4}}\s*年|{_NUM}\s*(?:个)?(?:年|月|日|天)|期满前|结束后|之日起|每年|建设期内|截止|年度"),
    "who": re.compile(r"由|负责|担任|推荐|组织|牵头|审核|委员会|部门|总局|单位"),
    "money": re.compile(rf"{_NUM}\s*(?:万|亿)?元"),
    "date": re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{2}-\d{2}"),
    "contact": re.compile(r"\d{3,4}[-‐－]\d{3,4}[-‐－]?\d{3,4}|1\d{10}|[\w.]+@[\w.]+|https?://|邮政编码|地址"),
    # A person's or body's proper name: titles of persons, a list printed in full, or a name in
    # quotation marks (统一命名为“××国家质量标准实验室”).
    "detail": re.compile(r"格式|模板|范本|表格|下载|清单|申诉|复议|投诉"),
    "person": re.compile(r"(?:同志|先生|女士|教授|院士)|名单(?:如下|附后)|命名为“|名称为“"),
}


def holds(text: str, what: str) -> bool:
    """Whether ``text`` contains the kind of fact ``what`` (a Kind or a Fact)."""
    pattern = EVIDENCE.get(what)
    return bool(pattern.search(text)) if pattern else True
