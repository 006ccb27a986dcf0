"""Numbers in Chinese and English text: the one numeral reader of the assistant.

- ``parse_number(token)``: the value of one number token — Arabic (``4200``, ``4,200``, ``1.2``),
  Chinese (``十五``, ``四千二百``, ``两千六百万``, ``一点五亿``; cn2an does the reading), or an
  English number word (``five``).
- ``quantities(text)``: every quantity a text states with its counter or unit — ``两年``,
  ``6个月``, ``3000 平方米``, ``5000万元``, ``不低于15人``, ``任意三项``, ``半年`` — as
  ``Quantity(value, unit, start, end)``. Ordinals that name places (第十八条, 第三章, （四）, a list's
  ``1.``, 专栏6, Article 18) and document numbers (〔2023〕92号) are not quantities.
- ``to_int`` / ``article_label`` / ``chinese``: article numbers (``十二`` ↔ 12 ↔ ``第十二条``).
- ``forms(value, unit)``: the ways the documents may print one quantity (``2年``, ``两年``, ``二年``).

Used by the parser (article numbers), the lexical tokenizer (两年 is also searched as 2年), the
question analysis (figures the asker states), the answer checks (every figure of an answer is in a
cited passage, with the same unit), and the eligibility extractor (figures of a lab).
It does not do arithmetic across a text or read dates (2023年10月13日 is three quantities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CN_NUM = f"[{CN_DIGITS}百千万亿点]+"
AR_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
EN_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}  # fmt: skip
SCALE = {
    "千万": 1e7, "百万": 1e6, "万": 1e4, "亿": 1e8, "千": 1e3,
    "million": 1e6, "mln": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
}  # fmt: skip


def parse_number(token: str) -> float | None:
    """Value of one number token, Arabic, Chinese (scales inside the token included) or English."""
    token = token.strip()
    if not token:
        return None
    if re.fullmatch(AR_NUM, token):
        return float(token.replace(",", ""))
    if token[-1] in "万亿" and re.fullmatch(AR_NUM, token[:-1]):  # 1.5万, 3亿
        return float(token[:-1].replace(",", "")) * SCALE[token[-1]]
    if token.lower() in EN_WORDS:
        return float(EN_WORDS[token.lower()])
    if token in ("半",):
        return 0.5
    if token == "俩":
        return 2.0
    if not re.fullmatch(CN_NUM, token) or not any(c in CN_DIGITS for c in token):
        return None
    try:
        return float(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    # cn2an does not take a decimal followed by a scale (一点五亿): take the scale off ourselves.
    for scale in ("千万", "百万", "亿", "万"):
        if token.endswith(scale) and len(token) > len(scale):
            stem = parse_number(token[: -len(scale)])
            return None if stem is None else stem * SCALE[scale]
    return None


def to_int(numeral: str) -> int:
    """'十二' -> 12, '12' -> 12, '③' -> 3 (a circled list mark)."""
    if len(numeral) == 1 and numeral in CIRCLED:
        return CIRCLED.index(numeral) + 1
    value = parse_number(numeral)
    if value is None or value != int(value):
        raise ValueError(f"not a whole number: {numeral!r}")
    return int(value)


def chinese(n: int) -> str:
    """12 -> '十二'."""
    return cn2an.an2cn(n)


def article_label(n: int) -> str:
    """12 -> '第十二条'."""
    return f"第{chinese(n)}条"


# -- quantities in a text ---------------------------------------------------------------------
# Units as the documents and applicants write them, longest first; the value is the unit's
# normal form (个月 and 月 are one unit; 平米 is 平方米).
_UNITS: dict[str, str] = {
    "平方米": "平方米", "平方公尺": "平方米", "平米": "平方米", "平方": "平方米", "㎡": "平方米",
    "万元": "万元", "亿元": "亿元", "万块": "万元", "元": "元", "块钱": "元", "块": "元",
    "个月": "月", "月": "月", "年": "年", "周": "周", "天": "天", "日": "日",
    "项": "项", "个": "个", "名": "名", "人": "人", "家": "家", "次": "次", "类": "类", "种": "种",
    "倍": "倍", "张": "张", "所": "所", "篇": "篇", "件": "件", "条": "条", "位": "位",
    "%": "%", "％": "%", "万": "万", "亿": "亿",
}  # fmt: skip
_UNIT_RE = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_EN_UNITS = {
    "years": "年", "year": "年", "months": "月", "month": "月", "days": "天", "day": "天",
    "square meters": "平方米", "square metres": "平方米", "sqm": "平方米", "m2": "平方米",
    "projects": "项", "project": "项", "items": "项", "members": "人", "people": "人", "persons": "人",
    "million yuan": "百万元", "yuan": "元", "rmb": "元", "percent": "%",
}  # fmt: skip
_EN_UNIT_RE = "|".join(sorted(map(re.escape, _EN_UNITS), key=len, reverse=True))

# A number: Arabic, or a run of Chinese numerals (with 万/亿 inside, 半, 俩), or an English word.
_NUM = rf"{AR_NUM}(?:[万亿](?=[平人项个名家]))?|[{CN_DIGITS}百千点]+[万亿]?|半|俩"
_QUANTITY = re.compile(rf"(?P<num>{_NUM})\s*(?:多|余|来)?\s*(?P<unit>{_UNIT_RE})")
_EN_QUANTITY = re.compile(
    rf"\b(?P<num>{AR_NUM}|{'|'.join(EN_WORDS)})\s*(?P<unit>{_EN_UNIT_RE})\b", re.I
)
# Ordinals and labels that name places in the documents, not facts.
_ORDINAL = re.compile(
    rf"第\s*(?:{AR_NUM}|[{CN_DIGITS}百]+)\s*[条章款项节部分批次个种类档级点]"
    rf"|[（(]\s*(?:[{CN_DIGITS}]+|\d{{1,2}})\s*[）)]"
    r"|〔\d{4}〕\s*\d+\s*号|\d+\s*号"
    r"|\b(?:Article|Art\.|item|Item|Chapter|chapter|section|Section|Box|box|point|Point)\s*\(?\d+\)?"
    r"|专栏\s*\d+"
    r"|^\s*\d{1,2}\s*[.．、](?!\d)"
    r"|(?<=[>）)\s])\d{1,2}\s*[.．](?=\s*[\u4e00-\u9fff])",
    re.M,
)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int
    end: int
    text: str

    def base(self) -> tuple[float, str]:
        """(value, unit) with money and scales brought to one unit, for comparing two quantities."""
        v, u = self.value, self.unit
        if u == "万元":
            return v * 1e4, "元"
        if u == "亿元":
            return v * 1e8, "元"
        if u == "百万元":
            return v * 1e6, "元"
        if u in ("个", "名", "位"):
            return v, "人" if u in ("名", "位") else u
        return v, u


def _masked(text: str) -> str:
    """``text`` with its ordinals blanked out (same length, so offsets stay valid)."""
    return _ORDINAL.sub(lambda m: " " * len(m.group(0)), text)


def quantities(text: str, ordinals: bool = False) -> list[Quantity]:
    """Every quantity ``text`` states (see module docstring). ``ordinals=True`` keeps 第十八条 & co."""
    scan = text if ordinals else _masked(text)
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(scan):
        num, unit = m.group("num"), m.group("unit")
        if num == "一" and re.search(r"(?:那|这|哪|每|某|任|其|同|另|统|进|唯)$", text[:m.start()]):
            continue  # 那一项, 每一个, 统一: a determiner or part of a word, not a count
        if num in ("万", "亿"):
            continue
        value = parse_number(num)
        if value is None:
            continue
        out.append(Quantity(value, _UNITS[unit], m.start(), m.end(), text[m.start():m.end()]))
    for m in _EN_QUANTITY.finditer(scan):
        value = parse_number(m.group("num"))
        if value is not None:
            out.append(Quantity(value, _EN_UNITS[m.group("unit").lower()], m.start(), m.end(), text[m.start():m.end()]))
    # A bare Arabic number (a figure printed without a counter: 指数达到86) counts too, unitless.
    taken = [(q.start, q.end) for q in out]
    for m in re.finditer(rf"(?<![\dA-Za-z.]){AR_NUM}(?![\dA-Za-z.])", scan):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = parse_number(m.group(0))
        if value is not None:
            out.append(Quantity(value, "", m.start(), m.end(), m.group(0)))
    out.sort(key=lambda q: q.start)
    return out


def calendar_year(q: Quantity) -> bool:
    """A year of the calendar (2025年, 到2035年, the 2022 text), not a quantity of a rule."""
    return q.unit in ("年", "") and q.value >= 1900 and q.value == int(q.value)


def has_quantity(text: str, units: set[str] | None = None) -> bool:
    """Whether ``text`` states a quantity (of one of ``units`` when given); calendar years
    (2025年, 到2035年) are not quantities of a rule."""
    for q in quantities(text):
        if calendar_year(q):
            continue
        if units is None or q.unit in units:
            return True
    return False


@lru_cache(maxsize=256)
def forms(value: float, unit: str) -> tuple[str, ...]:
    """The ways a quantity may be printed: (2, '年') -> ('2年', '两年', '二年')."""
    if value != int(value):
        return (f"{value:g}{unit}",)
    n = int(value)
    zh = chinese(n)
    out = [f"{n}{unit}", f"{zh}{unit}"]
    if n == 2:
        out.append(f"两{unit}")
    if unit == "月":
        out += [f"{n}个月", f"{zh}个月"] + (["两个月"] if n == 2 else [])
    return tuple(dict.fromkeys(out))
