"""Lab figures from free text (Chinese and English), without a model.

What it reads:
- numbers: Arabic (``4200``, ``4,200``, ``1.2``, full-width digits) and Chinese (``四千二百``,
  ``两千六百万``, ``一点五``; read by ``assistant.numbers``), English window words (``five years``);
- scales and units: 千 / 万 / 千万 / 亿 / million / billion, 元 / 万元 / yuan / RMB / CNY / 人民币 / ¥,
  平方米 / 平米 / ㎡ / m² / m2 / sqm / square meters, counts in 项 / 个 / 件 / 部;
- which figure a number is: by the nearest cue (设备, 科研用房, 项目, 经费, 标准, 转化, 技术服务 …
  and their English words), by its unit, and otherwise by the topic of the previous clause;
- 现值 versus 原值: an 原值 (original value) is flagged and not used; only the present value counts;
- time windows (近5年, 近三年, in the last five years …): a figure stated for another window than
  the one 第十二条 asks for is flagged and not used; a window carries over the clauses of its sentence;
- corrections: "不是10项，是16项" drops the negated number; in one message the last value stated
  for a figure wins (except standards of distinct kinds, 国家标准2项、行业标准3项, which are summed);
- thresholds quoted from the rule ("设备现值要求5000万元以上吗") are not taken as the lab's figures;
- absurd figures are flagged, not read: a negative one (−4200平方米, 负4200平方米) and one in
  exponent notation (1e308, 4.2E3), which would otherwise read as 4200 and 1;
- affiliation (中央企业, 央企, 国资委, 教育部直属, 中国科学院 … vs 省属, 市属, 地方, 民营 …), host type,
  the lab's level (省级/部级重点实验室) and years running, and declared qualitative items (with
  negation: "没有国际影响的原创成果" is a denial).

What it does not handle: calendar years as windows (2019—2023年), dates from which years running
must be computed, arithmetic across sentences, numbers spelled as English words other than window
and duration words, figures split over several messages in one sentence.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from assistant.numbers import AR_NUM, CN_DIGITS, CN_NUM, EN_WORDS, SCALE, parse_number
from assistant.eligibility.conditions import COUNT_KEYS, FIGURE_WINDOW, MONEY_KEYS
from assistant.eligibility.profile import LabProfile, ProfileWarning

# --- normalisation ---------------------------------------------------------------------------

# Chinese punctuation that matters for clause splitting is kept as is; everything else goes
# through NFKC, which folds full-width digits, ㎡ / m² (→ m2), ￥ and full-width brackets.
_KEEP = frozenset("，。；：！？、（）")


def normalize(text: str) -> str:
    return "".join(c if c in _KEEP else unicodedata.normalize("NFKC", c) for c in text)


# --- numbers ---------------------------------------------------------------------------------

# The one numeral reader of the assistant (``assistant.numbers``): digits, scales and number words.
_CN_DIGITS = CN_DIGITS
_CN_NUM = CN_NUM
_AR_NUM = AR_NUM
_EN_WORDS = EN_WORDS
_EN_NUM = r"\b(?:" + "|".join(_EN_WORDS) + r")\b"
_SCALE = SCALE
_SCALE_RE = r"千万|百万|万|亿|千|million|mln|mn\b|billion|bn\b"
_AREA_UNIT = r"平方米|平方公尺|平米|平方|m2\b|sq\.?\s?m\b|sqm\b|square\s+met(?:er|re)s?"
_MONEY_UNIT = r"元|块钱|yuan\b|rmb\b|cny\b"
# 部 counts documents (3部行业标准), not departments (五部门) or ministries (部委).
_COUNT_UNIT = r"项|个|件|部(?![门委属级])|篇"
_YEAR_UNIT = r"年|years?\b|yrs?\b"
_APPROX_AFTER = r"(?:多|余|来|左右)?"

_QUANTITY = re.compile(
    rf"(?P<cur>(?:RMB|CNY|人民币|¥)\s?)?"
    rf"(?P<num>{_AR_NUM}|{_CN_NUM})"
    rf"\s?{_APPROX_AFTER}\s?(?P<scale>{_SCALE_RE})?\s?{_APPROX_AFTER}\s?"
    rf"(?P<unit>{_AREA_UNIT}|{_MONEY_UNIT}|{_COUNT_UNIT}|{_YEAR_UNIT}|%|百分)?",
    re.I,
)


@dataclass
class Quantity:
    start: int
    end: int
    value: float  # scales applied
    kind: str  # area | money | count | bare
    scaled: bool  # a 万/亿/million scale was stated
    english: bool  # the words around it are English (cues usually follow the number)
    raw: str
    absurd: str | None = None  # why the figure cannot be the lab's: "negative" | "exponent"


# A minus sign right before a number that does not follow another number (3000-4200 is a range).
_MINUS = re.compile(r"(?<![\d.])(?:-|\u2212|负)\s?$")
_EXPONENT = re.compile(r"[eE][+-]?\d")


def _scan(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        num = m.group("num")
        start = m.start("num")
        # Not a number of the lab: article numbers (第十二条), list markers (（四）3), a digit glued
        # to letters (ISO9001, m2 handled as unit), calendar years, percentages, durations.
        if start > 0 and (text[start - 1] == "第" or re.match(r"[A-Za-z]", text[start - 1])):
            continue
        if re.search(r"[（(][一二三四五六七八九十]+[）)]\s*$", text[max(0, start - 6) : start]):
            continue
        if re.match(r"\s*(?:条|款|章|节|号|级|月|日|点|倍|名|人|位|岁|台|套|次|家|所|篇|本)", text[m.end("num") :]):
            continue
        if re.match(r"\d|\.\d", text[m.end("num") : m.end("num") + 2]):
            continue
        absurd = None
        if _EXPONENT.match(text, m.end("num")):
            absurd = "exponent"
        elif _MINUS.search(text[max(0, start - 2) : start]) and not m.group("cur"):
            absurd = "negative"
        if num == "一" and re.search(r"(?:那|这|哪|每|某|任|其|同|另)$", text[:start]):
            continue  # 那一项, 每一个: a determiner, not a count
        unit = (m.group("unit") or "").lower()
        scale = (m.group("scale") or "").lower()
        if unit in ("%", "百分") or re.fullmatch(_YEAR_UNIT, unit, re.I):
            continue
        value = parse_number(num)
        if value is None:
            continue
        is_cn = bool(re.fullmatch(_CN_NUM, num))
        cn_scaled = is_cn and ("万" in num or "亿" in num)
        if scale:
            value *= _SCALE[scale]
        scaled = bool(scale) or cn_scaled
        if re.fullmatch(_AREA_UNIT, unit, re.I):
            kind = "area"
        elif re.fullmatch(_MONEY_UNIT, unit, re.I) or m.group("cur"):
            kind = "money"
        elif unit and re.fullmatch(_COUNT_UNIT, unit):
            kind = "count"
        else:
            kind = "bare"
            if is_cn and not scaled and len(num) < 2:
                continue  # 一 / 两 alone are words (一定, 两者), not figures
            if not is_cn and not scaled and 1949 <= value <= 2100 and value == int(value):
                around = text[max(0, start - 6) : m.end() + 2]
                if re.search(r"年|in\s|since|from|year|by\s|end of|until|before|after|[-–~至到]", around, re.I):
                    continue
        end = m.end("unit") if m.group("unit") else (m.end("scale") if scale else m.end("num"))
        tail = text[end : end + 3]
        english = bool(re.match(r"\s*[A-Za-z]", tail)) or bool(re.fullmatch(r"[a-z .]+", unit or "x", re.I))
        if kind in ("area", "money") and unit and not re.search(r"[\u4e00-\u9fff]", unit):
            english = True
        if absurd == "exponent":
            # the unit follows the exponent (1e308平方米), not the mantissa
            tail = _EXPONENT.match(text, m.end("num"))
            rest = _QUANTITY.match(text, tail.end() - 1) if tail else None
            end = max(end, rest.end() if rest else tail.end())
        out.append(Quantity(m.start(), end, value, kind, scaled, english, m.group(0), absurd))
    return out


# --- cues ------------------------------------------------------------------------------------

_CUES: dict[str, re.Pattern[str]] = {
    "area": re.compile(r"科研用房|实验室用房|用房|面积|场地|floor area|floor space|lab space|research space|\bspace\b|\barea\b", re.I),
    "equipment": re.compile(r"仪器设备|设备|仪器|equipment|instruments?|apparatus", re.I),
    "projects": re.compile(r"项目|课题|projects?\b", re.I),
    "funding": re.compile(r"经费|总金额|项目金额|合同金额|合同额|资金|总额|funding|grants?\b|budget", re.I),
    "service": re.compile(r"技术服务|服务收入|服务金额|服务额|服务|检测收入|services?\b", re.I),
    # Not 标准 inside a name: 质量标准实验室 (the labs themselves), 国家标准验证点, Standards Laboratories.
    "standards": re.compile(
        r"标准(?!实验室|验证点|化)|检验方法|检测方法|standards?\b(?!\s+(?:&\s+)?lab)|test methods?|inspection methods?", re.I
    ),
    "transfers": re.compile(r"成果转化|转化|转让|transfer(?:s|red)?\b|commerciali[sz]|licen[cs]ed", re.I),
}
# Which figure a quantity of each kind can be, by topic.
_KIND_TOPICS = {
    "area": {"area": "area_m2"},
    "money": {"equipment": "equipment_wan", "funding": "projects_funding_wan", "projects": "projects_funding_wan",
              "service": "service_revenue_wan"},
    "count": {"projects": "projects_count", "standards": "standards_3y", "transfers": "transfers_3y"},
    "bare": {"area": "area_m2", "equipment": "equipment_wan", "funding": "projects_funding_wan",
             "service": "service_revenue_wan", "projects": "projects_count", "standards": "standards_3y",
             "transfers": "transfers_3y"},
}  # fmt: skip


def _cues(segment: str, base: int) -> list[tuple[int, int, str]]:
    found = []
    for topic, pat in _CUES.items():
        for m in pat.finditer(segment):
            found.append((base + m.start(), base + m.end(), topic))
    # 技术服务 inside 质量技术服务 etc.: keep the longest cue at a position.
    found.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    return found


# --- windows, value basis, negation, thresholds ----------------------------------------------

_NUM_WORD = rf"(?:\d+|[{_CN_DIGITS}]+|{_EN_NUM})"
_WINDOW = re.compile(
    rf"(?:近|最近|过去|前)\s?(?P<a>{_NUM_WORD})\s?(?:个)?年"
    rf"|(?P<b>{_NUM_WORD})\s?年(?:来|内|间)"
    rf"|(?:last|past|previous|recent)\s+(?P<c>{_NUM_WORD})\s+years?"
    rf"|(?P<d>{_NUM_WORD})-year",
    re.I,
)
_ORIGINAL = re.compile(r"原值|原价|账面原值|购置价|购置金额|采购金额|original (?:purchase )?value|purchase (?:price|value|cost)|at cost|historical cost", re.I)
_PRESENT = re.compile(r"现值|净值|present value|current value|net value|net book value", re.I)
_NEGATED = re.compile(r"(?:不是|并非|而非|而不是|并不是|not|rather than|instead of)\s*(?:RMB|CNY|人民币|¥)?\s*$", re.I)
_UPPER = re.compile(r"(?:不到|不足|少于|低于|less than|under|below|fewer than)\s*(?:RMB|CNY|人民币|¥)?\s*$", re.I)
# A bare four-digit number after these words is a year of the calendar (by the end of 2025, 到2025),
# never a figure of the lab.
_YEAR_BEFORE = re.compile(r"(?:\b(?:end of|by|in|since|from|until|before|after|year)\s+(?:the\s+)?|到|至|截至|截止|于)\s*$", re.I)
_REQUIREMENT = re.compile(r"要求|规定|需要|须|门槛|required|requirement|minimum|threshold|\bneeds?\b|\bmust\b", re.I)
_RULE_PHRASE = re.compile(r"不少于|不低于|达到|至少|at least|no less than|more than", re.I)
_OWN = re.compile(
    r"我们|我单位|我院|我校|我所|我司|我中心|我方|我实验室|本单位|本院|本校|本所|本公司|本实验室|本中心|本部门"
    r"|\bour\b|\bwe\b|\bwe'|\bus\b|\bmy\b",
    re.I,
)
_QUESTION = re.compile(r"[?？]|吗|什么|多少|几项|是否|怎么|如何|how|what|whether|does|is it", re.I)
_STANDARD_TYPES = {
    "national": re.compile(r"国家标准|国标|national", re.I),
    "industry": re.compile(r"行业标准|行标|industry|sector", re.I),
    "method": re.compile(r"检验方法|检测方法|test methods?|inspection methods?", re.I),
}
_STANDARD_EXCLUDED = re.compile(r"团体标准|地方标准|企业标准|国际标准|group standards?|local standards?|enterprise standards?|international standards?", re.I)
_GLUED_AFTER = re.compile(r"\s?(?:的)?(?:(?:[A-Za-z-]+\s+){0,2}[A-Za-z-]+|[\u4e00-\u9fff]{1,6})?")
_NOT_NATIONAL = re.compile(r"省部级|省级|市级|provincial|municipal", re.I)
_NATIONAL = re.compile(r"国家级|国家|national", re.I)

_THRESHOLDS = {"area_m2": 3000, "equipment_wan": 5000, "projects_count": 15, "projects_funding_wan": 2000,
               "standards_3y": 5, "transfers_3y": 15, "service_revenue_wan": 3000}  # fmt: skip


def _window_value(m: re.Match[str]) -> int | None:
    token = next(g for g in m.groups() if g)
    v = parse_number(token)
    return int(v) if v is not None else None


# --- affiliation, host, level, years, declarations -------------------------------------------

_LOCAL = re.compile(
    r"省属|市属|区属|县属|省管|市管|省国资委|市国资委|地方(?!标准)|民营|私营|民企"
    r"|(?:省级|市级|省|市)(?:科研院所|高校|高等院校|企业|国企|国有企业|单位|研究院|研究所)"
    r"|provincial(?:[- ]level)?\s+(?:state-owned\s+)?(?:enterprise|university|institute|soe|company|research)"
    r"|municipal|\blocal\s+(?:enterprise|university|institute|government|company|soe)|private(?:ly)?[- ](?:owned|company|enterprise)",
    re.I,
)
_CENTRAL = re.compile(
    r"中央企业|央企|国资委|中央直属|中央级|中直|部属|部直属|直属高校|中国科学院|中科院|中国工程院|中国社会科学院"
    r"|central(?:ly)?[- ](?:level|government|state-owned|soe|enterprise|administered|owned)|central soe"
    r"|\bsasac\b|chinese academy of sciences|directly under the ministry|affiliated (?:to|with) the ministry"
    r"|ministry of education university|under the ministry of education",
    re.I,
)
_HOST = [
    ("consortium", re.compile(r"联合体|联合申报|consortium|jointly", re.I)),
    ("university", re.compile(r"大学|高校|高等院校|学院(?!派)|我校|university|college", re.I)),
    ("research_institute", re.compile(r"研究院|研究所|科研院所|院所|科学院|institute|academy", re.I)),
    ("enterprise", re.compile(r"企业|公司|集团|央企|民企|国企|enterprise|company|corporation|\bgroup\b|\bsoe\b", re.I)),
]
_LEVEL_NONE = re.compile(r"(?:没有|暂无|尚无|不是|并非|no|not an?)\s*(?:省部级|省级|部级|provincial|ministerial)", re.I)
_LEVEL_MIN = re.compile(
    r"部级|(?:部|总局|部委|教育部|工信部|科技部|农业农村部|卫健委)重点实验室|ministerial|key lab(?:oratory)? of the ministry|ministry key lab",
    re.I,
)
_LEVEL_PROV = re.compile(
    r"省部级|省级?(?:重点)?实验室|省级(?:工程|技术)|provincial(?:[- ]level)?\s+(?:key\s+)?lab", re.I
)
_LEVEL_MUNI = re.compile(r"市级?(?:重点)?实验室|municipal(?:[- ]level)?\s+(?:key\s+)?lab", re.I)
_YEARS = re.compile(
    rf"(?:运行|运营|成立|认定|建成|建设)(?:了|满|已)?\s?(?P<a>{_NUM_WORD}|\d+\.\d+)\s?(?:个)?年"
    rf"|(?:running|operating|operated|in operation|established)\s+(?:for\s+)?(?:about\s+|over\s+)?(?P<b>{_NUM_WORD})\s+years?"
    rf"|(?P<c>{_NUM_WORD})\s+years?\s+(?:of operation|ago)",
    re.I,
)
_DECLARATIONS = {
    "achievements.original": r"国际影响.{0,12}原创|原创.{0,12}国际影响|系统性原创|original (?:\w+ ){0,4}(?:with|of) international (?:influence|impact)|internationally influential original",
    "achievements.innovation": r"创新思想|关键技术突破|基础原理.{0,4}创新|原理创新|key technolog(?:y|ies)(?: \w+)? breakthroughs?|breakthroughs? in key technolog|innovative (?:ideas|methods)",
    "achievements.leading": r"国际领先|世界领先|领先国际|internationally leading|world[- ]leading|international(?:ly)? leading",
    "achievements.data": r"质量标准数据|标准数据|数据库|数据资源|quality (?:and )?standards? data|\bdatabases?\b",
    "team": r"学术委员会|学术带头人|academic committee|academic leader",
    "research.breakthrough": r"卡脖子|国际前沿|bottleneck|choke ?points?|cutting[- ]edge",
    "research.authority": r"权威性|authoritative",
    "facilities": r"配套设施|安全保障|测量精度|数据分析能力|supporting facilities|measurement accuracy",
    "support": r"重点发展方向|依托单位.{0,10}支持|host .{0,30}support",
}
_DECL_NEG = re.compile(r"(?:没有|没|无|未|尚未|暂无|不具备|缺乏|缺少|\bno\b|\bnot\b|\bwithout\b|\black\b|don't have|do not have)[^，。；,;.]{0,8}$", re.I)


def _affiliation(text: str, warnings: list[ProfileWarning]) -> str | None:
    local = [m.group(0) for m in _LOCAL.finditer(text)]
    central = [m.group(0) for m in _CENTRAL.finditer(_LOCAL.sub(" ", text))]
    if local and central:
        warnings.append(
            ProfileWarning(
                code="conflicting_affiliation",
                source="、".join(central + local),
                message_zh=f"隶属关系信号相互矛盾（{'、'.join(central)} / {'、'.join(local)}），推荐渠道请自行确认。",
                message_en=f"Conflicting affiliation signals ({', '.join(central)} / {', '.join(local)}); "
                "please confirm the recommendation channel.",
            )
        )
        return None
    if central:
        return "central"
    if local:
        return "local"
    return None


def _host(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pat in _HOST:
        ms = list(pat.finditer(text))
        if not ms:
            continue
        if name == "consortium":
            return name
        pos = ms[-1].start()
        if best is None or pos > best[0]:
            best = (pos, name)
    return best[1] if best else None


def _level(text: str) -> str | None:
    if _LEVEL_NONE.search(text):
        return "none"
    if _LEVEL_MIN.search(text):
        return "ministerial"
    if _LEVEL_PROV.search(text):
        return "provincial"
    if _LEVEL_MUNI.search(text):
        return "none"
    return None


def _years(text: str) -> float | None:
    for m in _YEARS.finditer(text):
        token = next(g for g in m.groups() if g)
        v = parse_number(token)
        if v is not None:
            return v
    return None


def _declarations(text: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for key, pat in _DECLARATIONS.items():
        for m in re.finditer(pat, text, re.I):
            negated = bool(_DECL_NEG.search(text[max(0, m.start() - 12) : m.start()]))
            out[key] = not negated
    return out


# --- segmentation ----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。；;！？!?\n]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"，|,(?!\d{3}(?!\d))")


def _spans(text: str, sep: re.Pattern[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    out, pos = [], start
    for m in sep.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if b > a]


# --- the figures -----------------------------------------------------------------------------


@dataclass
class _Reading:
    key: str
    value: float
    q: Quantity
    sentence: int
    standard_type: str | None = None


def _nearest(cues: list[tuple[int, int, str]], topics: dict[str, str], lo: int, hi: int, pos: int, before: bool):
    best = None
    for cs, ce, topic in cues:
        if topic not in topics:
            continue
        if before and lo <= cs and ce <= pos:
            if best is None or ce > best[1] or (ce == best[1] and (ce - cs) > (best[1] - best[0])):
                best = (cs, ce, topic)
        elif not before and pos <= cs and ce <= hi:
            if best is None or cs < best[0]:
                best = (cs, ce, topic)
    return best


def _assign(text: str, q: Quantity, prev_end: int, next_start: int, clause: tuple[int, int],
            cues: list[tuple[int, int, str]], topic_carry: str | None) -> tuple[str | None, str | None]:
    """The figure key a quantity states, and the topic it leaves for the next clause."""
    topics = _KIND_TOPICS[q.kind]
    if q.kind == "area":
        return "area_m2", "area"
    if q.kind == "bare" and q.scaled:
        topics = {k: v for k, v in topics.items() if v in MONEY_KEYS or v == "area_m2"}
    lo, hi = max(clause[0], prev_end), min(clause[1], next_start)
    order = (False, True) if q.english else (True, False)
    hit = None
    for before in order:
        hit = _nearest(cues, topics, lo, hi, q.start if before else q.end, before)
        if hit:
            break
    if hit is None:  # further back in the clause, past the previous quantity
        hit = _nearest(cues, topics, clause[0], hi, q.start, True)
    # The topic of the clause before ("设备原值7200万元，现值4600万元") carries over, for numbers with a
    # unit or a scale; a bare small number without either is too weak a signal.
    if hit is None and (q.kind != "bare" or q.scaled) and topic_carry in topics:
        return topics[topic_carry], topic_carry
    if hit is None:
        return None, topic_carry
    return topics[hit[2]], hit[2]


def _windows(text: str, span: tuple[int, int]) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), _window_value(m) or 0) for m in _WINDOW.finditer(text, span[0], span[1])]


def _warning(code, key, value, source, zh, en) -> ProfileWarning:
    return ProfileWarning(code=code, key=key, value=value, source=source, message_zh=zh, message_en=en)


def _fmt(v: float) -> str:
    return f"{int(v)}" if float(v).is_integer() else f"{v:g}"


def _read_figures(text: str, warnings: list[ProfileWarning]) -> dict[str, float]:
    quantities = _scan(text)
    own = bool(_OWN.search(text))
    question = bool(_QUESTION.search(text))
    readings: list[_Reading] = []
    starts = [q.start for q in quantities]  # sorted: found left to right

    def within(span: tuple[int, int]) -> list[Quantity]:
        return quantities[bisect_left(starts, span[0]) : bisect_left(starts, span[1])]

    for si, sentence in enumerate(_spans(text, _SENTENCE_END)):
        windows = _windows(text, sentence)
        topic: str | None = None
        for clause in _spans(text, _CLAUSE_END, *sentence):
            cues = _cues(text[clause[0] : clause[1]], clause[0])
            qs = within(clause)
            if not qs and cues:
                # "设备600台套，价值8000万元": a clause naming a topic without a figure hands it on.
                topic = cues[-1][2]
            for i, q in enumerate(qs):
                prev_end = qs[i - 1].end if i else clause[0]
                next_start = qs[i + 1].start if i + 1 < len(qs) else clause[1]
                key, topic = _assign(text, q, prev_end, next_start, clause, cues, topic)
                if key is None:
                    continue
                before = text[prev_end : q.start]
                after = text[q.end : next_start]
                local = text[max(clause[0], q.start - 40) : q.start]
                if _NEGATED.search(before):
                    continue
                if q.kind == "bare" and not q.scaled and 1900 <= q.value <= 2100 and float(q.value).is_integer() \
                        and _YEAR_BEFORE.search(text[max(clause[0], q.start - 14) : q.start]):
                    continue
                # A threshold quoted from the rule, not the lab's figure.
                if _REQUIREMENT.search(before) or (_REQUIREMENT.search(after) and not own):
                    continue
                source = text[max(clause[0], q.start - 12) : q.end].strip()
                if q.absurd:
                    shown = text[max(clause[0], q.start - 14) : q.end].strip()
                    warnings.append(_warning(
                        "implausible", key, None, shown,
                        f"“{shown}”不是有效的数字（{'负数' if q.absurd == 'negative' else '科学记数法'}），未使用；请给出实际数字。",
                        f"'{shown}' is not a usable figure ({'negative' if q.absurd == 'negative' else 'exponent notation'}); "
                        "it was not used. Please give the actual figure.",
                    ))
                    continue
                if q.kind == "count" or key in COUNT_KEYS:
                    if key not in COUNT_KEYS or not float(q.value).is_integer():
                        continue
                    value = q.value
                elif key in MONEY_KEYS:
                    if q.kind == "bare" and not q.scaled:
                        value = q.value  # a money figure without a unit is read as 万元
                        warnings.append(_warning(
                            "unit_assumed", key, value, source,
                            f"“{source}”未写单位，按万元理解。",
                            f"'{source}' has no unit; read as 万元 (10k yuan).",
                        ))
                    else:
                        value = q.value / 1e4
                else:
                    value = q.value
                # "项目总金额达到2000万元是指近五年吗": the rule's own threshold, asked about.
                if (
                    not own
                    and question
                    and abs(value - _THRESHOLDS[key]) < 1e-9
                    and (_RULE_PHRASE.search(before) or re.match(r"\s*以上", after))
                ):
                    continue
                if _UPPER.search(before):
                    warnings.append(_warning(
                        "upper_bound", key, value, source,
                        f"“{source}”只给出上限，未作为数字使用，请给出确切数字。",
                        f"'{source}' is only an upper bound and was not used; please give the figure.",
                    ))
                    continue
                # 现值 vs 原值: the cue nearest the number, on either side within the clause.
                if key == "equipment_wan":
                    ctx_before = text[max(clause[0], q.start - 30) : q.start]
                    ctx_after = text[q.end : min(next_start, q.end + 25)]
                    basis = _basis(ctx_before, ctx_after)
                    if basis is None:
                        basis = _basis(text[clause[0] : q.start], "") or _carry_basis(text, sentence, clause)
                    if basis == "original":
                        warnings.append(_warning(
                            "original_value", key, value, source,
                            f"“{source}”是原值；第十二条（一）看仪器设备现值，原值不计，请提供现值。",
                            f"'{source}' is an original value; 第十二条（一） counts the present value (现值) only. "
                            "Please give the present value.",
                        ))
                        continue
                    if basis is None:
                        warnings.append(_warning(
                            "value_basis_unstated", key, value, source,
                            f"“{source}”未说明是现值还是原值，按现值理解；第十二条（一）只认现值。",
                            f"'{source}' does not say present or original value; read as present value "
                            "(第十二条（一） counts the present value only).",
                        ))
                # The time window the clause asks for.
                want = FIGURE_WINDOW.get(key)
                stated = _stated_window(windows, q, clause, prev_end, next_start)
                if want is not None and stated is not None and stated != want:
                    warnings.append(_warning(
                        "wrong_window", key, value, source,
                        f"“{source}”是近{stated}年的数字，第十二条要求近{want}年，未使用；请提供近{want}年的数字。",
                        f"'{source}' covers {stated} years; 第十二条 asks for the last {want} years, so it was "
                        f"not used. Please give the {want}-year figure.",
                    ))
                    continue
                if key == "projects_count" and _NOT_NATIONAL.search(local) and not _NATIONAL.search(
                    re.sub(r"省部级|provincial", "", local, flags=re.I)
                ):
                    warnings.append(_warning(
                        "not_national", key, value, source,
                        f"“{source}”不是国家级项目；第十二条（三）1只计国家级科研项目。",
                        f"'{source}' are not national-level projects; 第十二条（三）1 counts national-level ones only.",
                    ))
                    continue
                stype = None
                if key == "standards_3y":
                    # The kind of standard is named before the count (国家标准2项) or after it (2项国家标准).
                    # Only a kind glued to the count belongs to it: in 国家标准2项、行业标准2项 the kind
                    # after the 、 is the next count's.
                    near = _GLUED_AFTER.match(text[q.end : next_start]).group(0)
                    if not (_STANDARD_EXCLUDED.search(near) or any(p.search(near) for p in _STANDARD_TYPES.values())):
                        near = text[max(prev_end, clause[0], q.start - 20) : q.start]
                    if _STANDARD_EXCLUDED.search(near) and not any(p.search(near) for p in _STANDARD_TYPES.values()):
                        warnings.append(_warning(
                            "not_counted", key, value, source,
                            f"“{source}”不计入第十二条（四）3（只计国家标准、行业标准和部门公告发布的检验方法）。",
                            f"'{source}' does not count for 第十二条（四）3 (national and industry standards and "
                            "published inspection methods only).",
                        ))
                        continue
                    types = sorted(t for t, p in _STANDARD_TYPES.items() if p.search(near))
                    stype = "+".join(types) or None
                    if stype is None:
                        warnings.append(_warning(
                            "standard_type_unstated", key, value, source,
                            f"“{source}”未说明标准类别；只计国家标准、行业标准和部门公告检验方法。",
                            f"'{source}' does not say which kind of standards; only national and industry "
                            "standards and published inspection methods count.",
                        ))
                readings.append(_Reading(key, value, q, si, stype))
    return _combine(readings)


def _basis(before: str, after: str) -> str | None:
    hits = []
    for name, pat in (("original", _ORIGINAL), ("present", _PRESENT)):
        for m in pat.finditer(before):
            hits.append((len(before) - m.end(), name))
        for m in pat.finditer(after):
            hits.append((m.start() + 1, name))
    return min(hits)[1] if hits else None


def _carry_basis(text: str, sentence: tuple[int, int], clause: tuple[int, int]) -> str | None:
    # "设备原值7200万元，现值4600万元": the basis word belongs to its own clause; only when the clause
    # says nothing do we look back to the sentence before it.
    return _basis(text[sentence[0] : clause[0]][-20:], "")


def _stated_window(
    windows: list[tuple[int, int, int]], q: Quantity, clause: tuple[int, int], prev_end: int, next_start: int
) -> int | None:
    """The window a figure is stated for: between it and its neighbours first (Chinese puts the
    window before the figure, 近3年…5项; English after it, 5 standards in the last 3 years), then
    anywhere in its clause, then the last window of the sentence before the clause."""
    before = [(q.start - e, v) for s, e, v in windows if prev_end <= s and e <= q.start]
    after = [(s - q.end, v) for s, e, v in windows if q.end <= s < next_start]
    for side in ((after, before) if q.english else (before, after)):
        if side:
            return min(side)[1]
    inside = [(abs(s - q.start), v) for s, e, v in windows if clause[0] <= s < clause[1]]
    if inside:
        return min(inside)[1]
    earlier = [(s, v) for s, e, v in windows if s < clause[0]]
    return earlier[-1][1] if earlier else None


def _combine(readings: list[_Reading]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in {r.key for r in readings}:
        rs = [r for r in readings if r.key == key]
        last = rs[-1]
        if key == "standards_3y":
            # 国家标准2项、行业标准2项、检验方法1项 in one sentence: distinct kinds add up.
            same = [r for r in rs if r.sentence == last.sentence]
            kinds = [r.standard_type for r in same]
            if len(same) > 1 and None not in kinds and len(set(kinds)) == len(kinds):
                out[key] = sum(r.value for r in same)
                continue
        out[key] = last.value
    return out


# --- public ----------------------------------------------------------------------------------


def extract_profile(text: str, base: LabProfile | None = None) -> LabProfile:
    """Read a ``LabProfile`` from one message; with ``base``, apply it as a follow-up."""
    text = normalize(text or "")
    warnings: list[ProfileWarning] = []
    figures = _read_figures(text, warnings)
    fields: dict = {}
    for key, value in figures.items():
        fields[key] = int(round(value)) if key in COUNT_KEYS else round(value, 4)
    affiliation = _affiliation(text, warnings)
    if affiliation:
        fields["affiliation"] = affiliation
    host = _host(text)
    if host:
        fields["host_type"] = host
    level = _level(text)
    if level:
        fields["level"] = level
    years = _years(text)
    if years is not None:
        fields["years_running"] = years
    declared = _declarations(text)
    if declared:
        fields["declared"] = declared
    fields["warnings"] = _dedupe(warnings)
    profile = LabProfile(**fields)
    return base.merge(profile) if base is not None else profile


def _dedupe(warnings: list[ProfileWarning]) -> list[ProfileWarning]:
    seen, out = set(), []
    for w in warnings:
        k = (w.code, w.key, w.value, w.source)
        if k not in seen:
            seen.add(k)
            out.append(w)
    return out


_FIGURE_WARNINGS = ("original_value", "wrong_window", "upper_bound", "not_national", "implausible")


def has_lab_figures(text: str) -> bool:
    """Does this message give the lab's own figures (as opposed to asking about the thresholds)?

    True when at least one figure of 第十二条 is stated for the lab, including figures that are
    flagged (原值, wrong window), since the chat should answer those with a check too. Numbers
    quoted from the rule ("要求5000万元以上吗", "需要多少平方米") do not count.
    """
    if not text or not text.strip():
        return False
    profile = extract_profile(text)
    if profile.has_figures():
        return True
    return any(w.code in _FIGURE_WARNINGS for w in profile.warnings)
