"""Text cut into quotable units — sentences and list items — with their offsets: the one sentence
splitter of the assistant (the index's sentence legs, the span scoring and the quotes all use it).

A unit's ``text`` is always ``text[start:end]`` of the text it was cut from, so any unit (or a run
of adjacent units) is a verbatim span and can be quoted as is. Labels that only locate the text
(the leading ``第十八条``) are left out of the unit; list labels (（一）, 1., ——) are kept, because
they are part of how the item reads.

Units end at 。！？ or a line break, and a sentence longer than ``LONG`` characters is also cut at
its ；(a run of measures joined by semicolons: each measure answers on its own). A line that
starts with （一）/(一)/1./一、/—— is a list item, and its units carry the item's label. A unit that
ends with ： at the end of its line introduces a list (推荐单位的主要职责包括：). Chapter headings
(第三章 条件) are not units. A heading-only sentence ((二)把准功能定位。) is kept with the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ARTICLE_LABEL = re.compile(r"^第[一二三四五六七八九十百零〇两]+条\s*")
CHAPTER_HEADING = re.compile(r"^第[一二三四五六七八九十]+章")
ITEM_LABEL = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]\s*|[一二三四五六七八九十]+、|——|专栏\s*\d+)"
)
_SENTENCE_END = re.compile(r"[。！？!?]")
_CLAUSE_END = re.compile(r"[；;]")
_NOISE = re.compile(r"^\[bookmark:[^\]]*\]")
_CLOSERS = "”’）)」』"
LONG = 80


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    text: str
    line: int
    item_label: str | None
    first_in_line: bool
    kind: Literal["sentence", "intro"]
    passage: int = 0  # index of the passage it belongs to, when cut from a list of passages


def _cuts(text: str, cur: int, end: int, pattern: re.Pattern[str]) -> list[int]:
    out = []
    while cur < end:
        m = pattern.search(text, cur, end)
        e = m.end() if m else end
        while e < end and text[e] in _CLOSERS:
            e += 1
        out.append(e)
        cur = e
    return out


def split_units(text: str, passage: int = 0) -> list[Unit]:
    """The units of ``text`` (see module docstring)."""
    units: list[Unit] = []
    pos = 0
    for line_no, line in enumerate(text.split("\n")):
        line_start = pos
        pos += len(line) + 1
        s = line_start + len(line) - len(line.lstrip())
        body = line.strip()
        if not body or CHAPTER_HEADING.match(body):
            continue
        for pattern in (_NOISE, ARTICLE_LABEL):
            m = pattern.match(body)
            if m:
                s += m.end()
                body = body[m.end():]
        m = ITEM_LABEL.match(body)
        label = m.group(0).strip() if m else None
        e_line = s + len(body)
        ends = _cuts(text, s, e_line, _SENTENCE_END)
        if label and len(ends) > 1 and ends[0] - s <= 16:
            ends = ends[1:]  # a heading-only first sentence stays with the next one
        cur = s
        first = True
        for end in ends:
            pieces = [end]
            if end - cur > LONG and _CLAUSE_END.search(text, cur, end):
                pieces = _cuts(text, cur, end, _CLAUSE_END)
            for piece_end in pieces:
                seg = text[cur:piece_end]
                lead = len(seg) - len(seg.lstrip())
                seg_s, seg = cur + lead, seg.strip()
                if seg:
                    kind: Literal["sentence", "intro"] = (
                        "intro" if piece_end >= e_line and seg.endswith(("：", ":")) else "sentence"
                    )
                    units.append(Unit(seg_s, seg_s + len(seg), seg, line_no, label, first, kind, passage))
                    first = False
                cur = piece_end
    return units


def clauses(text: str) -> list[str]:
    """The clauses of a sentence (cut at ，；：), for the short direct answer taken from a quote."""
    return [c for c in re.split(r"(?<=[，,；;：:])", text) if c.strip()]
