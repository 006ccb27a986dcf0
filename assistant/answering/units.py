"""Passages cut into quotable units: sentences and list items, with their offsets.

A unit's ``text`` is always ``passage.text[start:end]``, so any unit (or a run of adjacent units of
one passage) is a verbatim span of the cleaned document and can be quoted as is. Labels that only
locate the text (the leading ``第十八条``) are left out of the unit; list labels (（一）, 1.) are
kept, because they are part of how the item reads.

Sentences end at 。！？ or a line break; a line that starts with （一）/(一)/1./一、 is a list item,
and its sentences carry the item's label. A sentence that ends with ： at the end of its line
introduces a list (推荐单位的主要职责包括：). Chapter headings (第三章 条件) are not units.
It does not split at ； or ，: such clauses rarely stand alone as an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.types import Passage

ARTICLE_LABEL = re.compile(r"^第[一二三四五六七八九十百零〇两]+条\s*")
CHAPTER_HEADING = re.compile(r"^第[一二三四五六七八九十]+章")
ITEM_LABEL = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]\s*|[一二三四五六七八九十]+、|——|专栏\s*\d+)"
)
_SENTENCE_END = re.compile(r"[。！？!?]")
_NOISE = re.compile(r"^\[bookmark:[^\]]*\]")


@dataclass(frozen=True)
class Unit:
    passage: int  # index of the passage in the list handed to the generator
    start: int
    end: int
    text: str
    line: int
    item_label: str | None
    first_in_line: bool
    kind: Literal["sentence", "intro"]


def split_passage(index: int, passage: Passage) -> list[Unit]:
    text = passage.text
    units: list[Unit] = []
    pos = 0
    for line_no, line in enumerate(text.split("\n")):
        line_start = pos
        pos += len(line) + 1
        # Trim surrounding whitespace but keep offsets into the passage.
        lstripped = len(line) - len(line.lstrip())
        s = line_start + lstripped
        body = line.strip()
        if not body or CHAPTER_HEADING.match(body):
            continue
        m = _NOISE.match(body)
        if m:
            s += m.end()
            body = body[m.end():]
        m = ARTICLE_LABEL.match(body)
        if m:
            s += m.end()
            body = body[m.end():]
        m = ITEM_LABEL.match(body)
        label = m.group(0).strip() if m else None
        e_line = s + len(body)
        cur = s
        first = True
        while cur < e_line:
            m_end = _SENTENCE_END.search(text, cur, e_line)
            end = m_end.end() if m_end else e_line
            if first and label and end - cur <= 16 and end < e_line:
                # A heading-only sentence ((二)把准功能定位。) says nothing alone: keep it with the next.
                m_end = _SENTENCE_END.search(text, end, e_line)
                end = m_end.end() if m_end else e_line
            # Closing quotation marks and brackets belong to the sentence they close.
            while end < e_line and text[end] in "”’）)」』":
                end += 1
            seg = text[cur:end]
            lead = len(seg) - len(seg.lstrip())
            seg_s, seg = cur + lead, seg.strip()
            if seg:
                kind: Literal["sentence", "intro"] = "intro" if end >= e_line and seg.endswith(("：", ":")) else "sentence"
                units.append(
                    Unit(
                        passage=index,
                        start=seg_s,
                        end=seg_s + len(seg),
                        text=seg,
                        line=line_no,
                        item_label=label,
                        first_in_line=first,
                        kind=kind,
                    )
                )
                first = False
            cur = end
    return units


def split_passages(passages: list[Passage]) -> list[Unit]:
    out: list[Unit] = []
    for i, p in enumerate(passages):
        out.extend(split_passage(i, p))
    return out
