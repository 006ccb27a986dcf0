"""Raw policy text -> clean document text.

What is removed, and why:
- web-page chrome around a reprint (site menus, hotlines, city lists, "标签", "返回首页" …): the catalog
  gives each document's ``body_start`` / ``body_stop`` lines, and short lines that look like chrome
  are dropped anywhere as a safety net for new documents;
- newspaper page marks (上接01版 / 下转02版) and word-processor bookmarks ([bookmark: _GoBack]);
- a reprint's editorial lines before the body (the pull-quote repeating the text's own figures);
  only its news lead, when the catalog names one (``lead``), is kept, cited as 导语;
- truncated duplicate page titles ("…公开..."), which a web page repeats above the real title;
- blank lines and indentation. A paragraph that a page break cut mid-sentence, or a title cut
  over several lines, is joined again.

What is not handled: text a page break lost (the newspaper excerpt of the 纲要 misses a few
characters at one break); it is kept as printed, never invented.

The output has one paragraph per line; every quote the assistant shows is a span of this text.
"""

from __future__ import annotations

import re

from assistant.types import DocumentMeta

# Whole lines that are page furniture, whatever document they appear in.
_PAGE_MARK = re.compile(r"^[（(]?\s*(上接|下转|接上|转下)\s*第?\s*[0-9０-９一二三四五六七八九十]+\s*版\s*[)）]?$")
_TRUNCATED_TITLE = re.compile(r"(\.\.\.|…)$")
_CHROME = re.compile(
    r"(热线|咨询电话|在线客服|联系方式|欢迎光临|当前位置|点击[:：]?\s*\d+\s*次|二维码|返回首页|最近搜索|热门搜索|"
    r"关注我们|企业分站|更多分站|上班时间|公司电话|人觉得有用|收藏|登录|相关推荐)"
)
_PHONE_ONLY = re.compile(r"^[\d\-－\s]{7,}$")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]\s*")
# A line ending like this closes its paragraph; one ending otherwise may have been cut by a page break.
_CLOSED = re.compile(r"[。；;！!？?：:”\"」』）)…]$")
# Lines that open a structural unit are never glued to the line before them.
HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章条节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|"
    r"\d+[.．、]|专栏\s*\d+|——)"
)
_MIN_CUT_PARAGRAPH = 40  # a paragraph cut by a page break is a long one; short lines are titles


def _cut(paragraph: str, last_line: str) -> bool:
    """Was this paragraph cut short? One whose last line is long and not closed by punctuation
    (a page break), or a title left open: an unclosed 《 or （, or ending on 关于 / 对."""
    if len(last_line) >= _MIN_CUT_PARAGRAPH and not _CLOSED.search(paragraph):
        return True
    opened = paragraph.count("《") > paragraph.count("》") or paragraph.count("（") > paragraph.count("）")
    return opened or paragraph.endswith(("关于", "对"))


def is_noise_line(line: str) -> bool:
    """True for a line that is page furniture rather than document text."""
    if _PAGE_MARK.match(line) or _PHONE_ONLY.match(line):
        return True
    if len(line) <= 80 and _TRUNCATED_TITLE.search(line):
        return True
    return len(line) <= 40 and bool(_CHROME.search(line))


def _body(lines: list[str], meta: DocumentMeta) -> list[str]:
    start = 0
    if meta.body_start:
        hits = [i for i, line in enumerate(lines) if line.startswith(meta.body_start)]
        if not hits:
            raise ValueError(f"{meta.id}: body_start {meta.body_start!r} not found in {meta.source_file}")
        start = hits[0]
    lead: list[str] = []
    if meta.lead:
        hits = [i for i, line in enumerate(lines[:start]) if line.startswith(meta.lead)]
        if not hits:
            raise ValueError(f"{meta.id}: lead {meta.lead!r} not found before the body in {meta.source_file}")
        lead = [lines[hits[0]]]
    stop = len(lines)
    if meta.body_stop:
        hits = [i for i, line in enumerate(lines) if i > start and line.startswith(meta.body_stop)]
        if hits:
            stop = hits[0]
    return lead + lines[start:stop]


def clean_text(raw: str, meta: DocumentMeta) -> str:
    """Return the document text of ``raw``: noise removed, one paragraph per line."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\u3000", " ")
    lines = [_BOOKMARK.sub("", line).strip() for line in raw.split("\n")]
    lines = [line for line in lines if line and not is_noise_line(line)]
    lines = _body(lines, meta)
    paragraphs: list[str] = []
    last = ""
    for line in lines:
        if paragraphs and not HEADING_START.match(line) and _cut(paragraphs[-1], last):
            paragraphs[-1] += line  # rejoin a paragraph or title cut by a page or line break
        else:
            paragraphs.append(line)
        last = line
    return "\n".join(paragraphs) + "\n"
