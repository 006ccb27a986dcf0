"""Citations: how a passage is named in an answer, markers [n], and the checks on a drafted answer.

- ``Namer(catalog).name(passage, lang)``: 《国家质量标准实验室管理办法》第十八条, with the status
  label of drafts, reprints and excerpts (one wording, from the catalog);
- ``markers(text)``: the [n] markers an answer uses (also ［n］ and 【n】);
- ``unsupported_numbers(text, cited)``: figures of an answer that no cited passage prints with the
  same unit (3年 is not supported by 3个月), read by the one numeral reader (``assistant.numbers``);
- ``verify_draft(text, passages)``: the checks that make the chain fall back to the extractive
  answer: a marker pointing nowhere, no marker at all, a 第X条 that none of the given passages
  is, or a number that none of the cited passages contains.

Whether a quote is a verbatim span is checked where quotes are made and measured in
evaluation/answers.py; this module does not look at the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.knowledge import Catalog
from assistant.numbers import quantities
from assistant.types import Citation, Passage

_MARKER = re.compile(r"[\[［【]\s*(\d{1,2})\s*[\]］】]")
_ARTICLE_NAMED = re.compile(r"第[一二三四五六七八九十百零〇两]+条")


class Namer:
    """Names passages in answers, with their status label (from the catalog)."""

    def __init__(self, catalog: Catalog | None):
        self.catalog = catalog

    def label(self, status: str, lang: str) -> str:
        return self.catalog.cite_label(status, lang) if self.catalog else ""

    def title_en(self, doc_id: str) -> str:
        d = self.catalog.by_id.get(doc_id) if self.catalog else None
        if d is None or not d.title_en:
            return ""
        return f"{d.title_en} ({d.role_en})" if d.role_en else d.title_en

    def name(self, p: Passage, lang: str = "zh") -> str:
        title = p.doc_short_title or f"《{p.doc_title}》"
        loc = p.locator
        label = self.label(p.status, lang)
        if lang == "en":
            return f"{title}{label} {loc}".strip()
        if label and label.strip("（）").split("，")[0] in title:
            label = "（非正式施行文本）"  # the title already says 征求意见稿; say only what it does not
        return f"{title}{label}{loc}" if loc.startswith("第") else f"{title}{label}“{loc}”部分"


def markers(text: str) -> list[int]:
    return [int(m) for m in _MARKER.findall(text)]


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def number_facts(text: str, ordinals: bool = False) -> set[tuple[float, str]]:
    """(value, unit) of every quantity ``text`` states; unit '' for a bare number."""
    return {(q.value, q.unit) for q in quantities(strip_markers(text), ordinals=ordinals)}


def passage_number_facts(passages: list[Passage]) -> set[tuple[float, str]]:
    out: set[tuple[float, str]] = set()
    for p in passages:
        out |= number_facts(p.text, ordinals=True) | number_facts(p.text) | number_facts(p.locator, ordinals=True)
    return out


def unsupported_numbers(answer_text: str, cited: list[Passage]) -> set[str]:
    """Numbers of the answer that no cited passage contains, with the same unit when one is given."""
    for p in cited:
        answer_text = answer_text.replace(p.locator, " ")
    have = passage_number_facts(cited)
    values = {v for v, _ in have}
    missing: set[str] = set()
    for v, u in number_facts(answer_text):
        if (not u and v not in values) or (u and (v, u) not in have):
            missing.add(f"{v:g}{u}")
    return missing


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
        return Verification(False, f"number(s) {', '.join(sorted(missing))} appear in no cited passage", cited_idx)
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
