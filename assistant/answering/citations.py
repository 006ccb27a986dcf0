"""Citations: how a passage is named in an answer, markers [n], and the checks on a drafted answer.

- ``cite_name(passage, lang)``: 《国家质量标准实验室管理办法》第十八条, with the status label of
  drafts and reprints.
- ``markers(text)``: the [n] markers an answer uses (also ［n］ and 【n】).
- ``numbers_in(text)``: the numbers a text states, as values (3000, 2, 0.5 …): Arabic digits and
  Chinese numerals before a unit (两年, 三项, 半年), ordinals of articles and items left out.
- ``verify_draft(text, passages)``: the checks that make the chain fall back to the extractive
  answer: a marker pointing nowhere, no marker at all, a 第X条 that none of the given passages
  is, or a number in the answer that none of the cited passages contains.

Whether a quote is a verbatim span is checked where quotes are made (extractive.py) and measured
in evaluation/answers.py; this module does not look at the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.types import Citation, Passage

from .standing import STATUS_LABEL_EN, STATUS_LABEL_ZH

_MARKER = re.compile(r"[\[［【]\s*(\d{1,2})\s*[\]］】]")
_ARABIC = re.compile(r"(?<![A-Za-z0-9.])(\d+(?:[,，]\d{3})*(?:\.\d+)?)")
_CN_NUM = re.compile(r"([零〇一二两三四五六七八九十百千万亿半]+)(?=\s*(?:个月|年|月|日|天|项|个|名|人|家|次|类|种|倍|周|张|所|万|亿|元|%|％|平方米))")
# Ordinals and labels that name places in the documents, not facts: 第十八条, 第三章, （四）, 1.,
# Article 18, item (4), 专栏6, and document numbers such as 国市监质发〔2023〕92号.
_ORDINALS = re.compile(
    r"第\s*[零〇一二两三四五六七八九十百\d]+\s*[条章款项节部分批]"
    r"|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
    r"|\b(?:Article|Art\.|item|Item|Chapter|chapter|section|Section|Box|box)\s*\(?\d+\)?"
    r"|专栏\s*\d+"
    r"|^\s*\d{1,2}\s*[.．、]"
    r"|(?<=[>）)\s])\d{1,2}\s*[.．](?=\s*[\u4e00-\u9fff])"
)


def cite_name(p: Passage, lang: str = "zh") -> str:
    """How the answer names where a passage comes from."""
    title = p.doc_short_title or f"《{p.doc_title}》"
    loc = p.locator
    if lang == "en":
        return f"{title}{STATUS_LABEL_EN.get(p.status, '')} {loc}".strip()
    label = STATUS_LABEL_ZH.get(p.status, "")
    if label and label.strip("（）").split("，")[0] in title:
        # The title already says 征求意见稿; say only what it does not.
        label = "（非正式施行文本）"
    return f"{title}{label}{loc}" if loc.startswith("第") else f"{title}{label}“{loc}”部分"


def markers(text: str) -> list[int]:
    return [int(m) for m in _MARKER.findall(text)]


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def _to_value(token: str) -> float | None:
    token = token.replace(",", "").replace("，", "")
    try:
        return float(token)
    except ValueError:
        pass
    if token == "半":
        return 0.5
    try:
        import cn2an

        return float(cn2an.cn2an(token, "smart"))
    except Exception:  # cn2an raises bare ValueError/KeyError on words it cannot read
        return None


_UNIT_AFTER = re.compile(r"\s*(个月|年|月|日|天|项|个|名|人|家|次|类|种|倍|周|张|所|万元|亿元|元|万|亿|%|％|平方米)")


def number_facts(text: str, *, strip_ordinals: bool = True) -> set[tuple[float, str | None]]:
    """(value, unit) of every number ``text`` states; unit None when no unit follows."""
    text = strip_markers(text)
    if strip_ordinals:
        text = "\n".join(_ORDINALS.sub(" ", line) for line in text.split("\n"))
    out: set[tuple[float, str | None]] = set()

    def unit_at(pos: int) -> str | None:
        m = _UNIT_AFTER.match(text, pos)
        if not m:
            return None
        return {"个月": "月", "％": "%"}.get(m.group(1), m.group(1))

    for m in _ARABIC.finditer(text):
        v = _to_value(m.group(1))
        if v is not None:
            out.add((v, unit_at(m.end())))
    for m in _CN_NUM.finditer(text):
        tok = m.group(1)
        if tok in {"万", "亿"}:
            continue
        v = _to_value(tok)
        if v is not None:
            out.add((v, unit_at(m.end())))
    return out


def numbers_in(text: str, *, strip_ordinals: bool = True) -> set[float]:
    """Values of the numbers ``text`` states (see module docstring)."""
    return {v for v, _ in number_facts(text, strip_ordinals=strip_ordinals)}


def passage_numbers(passages: list[Passage]) -> set[float]:
    """Every number the passages print, ordinals included (a quoted 第三条 is still in the text)."""
    return {v for v, _ in passage_number_facts(passages)}


def passage_number_facts(passages: list[Passage]) -> set[tuple[float, str | None]]:
    out: set[tuple[float, str | None]] = set()
    for p in passages:
        out |= number_facts(p.text, strip_ordinals=False)
        out |= number_facts(p.locator, strip_ordinals=False)
    return out


def unsupported_numbers(answer_text: str, cited: list[Passage]) -> set[str]:
    """Numbers of the answer that no cited passage contains, with the same unit when one is given
    (3年 is not supported by 3个月)."""
    for p in cited:
        answer_text = answer_text.replace(p.locator, " ")
    have = passage_number_facts(cited)
    values = {v for v, _ in have}
    missing: set[str] = set()
    for v, u in number_facts(answer_text):
        if u is None:
            if v not in values:
                missing.add(f"{v:g}")
        elif (v, u) not in have:
            missing.add(f"{v:g}{u}")
    return missing


_ARTICLE_NAMED = re.compile(r"第[一二三四五六七八九十百零〇两]+条")


@dataclass
class Verification:
    ok: bool
    reason: str | None
    cited: list[int]


def verify_draft(text: str, passages: list[Passage]) -> Verification:
    """Check a generated answer against the passages it was given (markers 1..len(passages))."""
    used = markers(text)
    if not used:
        return Verification(False, "the answer cites no passage marker", [])
    bad = sorted({n for n in used if n < 1 or n > len(passages)})
    if bad:
        return Verification(False, f"marker {', '.join(f'[{n}]' for n in bad)} points to no passage", [])
    cited_idx = sorted(set(used))
    cited = [passages[n - 1] for n in cited_idx]
    known_articles = {a for p in passages for a in _ARTICLE_NAMED.findall(p.locator + (p.article or "") + p.text)}
    wrong = [a for a in _ARTICLE_NAMED.findall(text) if a not in known_articles]
    if wrong:
        return Verification(False, f"the answer names {wrong[0]}, which no given passage is", cited_idx)
    missing = unsupported_numbers(text, cited)
    if missing:
        shown = ", ".join(sorted(missing))
        return Verification(False, f"number(s) {shown} appear in no cited passage", cited_idx)
    return Verification(True, None, cited_idx)


def make_citation(p: Passage, quote: str, marker: int | None) -> Citation:
    return Citation(
        doc_id=p.doc_id,
        doc_title=p.doc_short_title or p.doc_title,
        locator=p.locator,
        quote=quote,
        text=p.text,
        status=p.status,
        marker=marker,
    )
