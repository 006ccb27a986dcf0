"""Clean document text -> its tree of sections, as the document itself structures it.

Two styles occur:
- articles (the 管理办法, a 实施细则): 第X编 > 第X章 > 第X节 > 第X条 > （一） > 1. > （1） > ①
- outline (指导意见, 纲要, 实施方案): 第X章 > 一、 > （一） > 1. > （1） > ① , and 专栏N boxes beside the
  （X） sections.

A text with none of these headings (a notice, a letter) is cut into its paragraphs (第N段), each
a section of its own, so it can still be indexed and cited; ``structured()`` tells the two apart.

A line is a heading only at the start of a line, and only when its number continues the count of
its level (1, or the previous number + 1), so a reference inside a sentence (依照第十二条…) or a
stray numbered line never opens a section. Half-width and full-width brackets are both read;
locators always print full-width brackets.

款 (the unnumbered paragraphs of an article) are not nodes: an article is cited whole or by its
项, and the chunker splits a long one at its 款. Not handled: headings in the middle of a line,
tables, and footnotes (the corpus has none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.numbers import CIRCLED, to_int
from assistant.types import DocumentMeta, ParsedDocument, Section

_CN_NUM = "一二三四五六七八九十百零〇两"


_PATTERNS: dict[str, re.Pattern[str]] = {
    "volume": re.compile(rf"^第([{_CN_NUM}\d]+)编\s*(.*)$"),
    "chapter": re.compile(rf"^第([{_CN_NUM}\d]+)章\s*(.*)$"),
    "division": re.compile(rf"^第([{_CN_NUM}\d]+)节\s*(.*)$"),
    "article": re.compile(rf"^第([{_CN_NUM}\d]+)条\s*(.*)$"),
    "part": re.compile(rf"^([{_CN_NUM}]+)、\s*(.*)$"),
    "section": re.compile(rf"^[（(]([{_CN_NUM}]+)[）)]\s*(.*)$"),
    "item": re.compile(r"^(\d{1,2})\s*[.．、]\s*(.*)$"),
    "box": re.compile(r"^专栏\s*(\d+)\s*(.*)$"),
    "subitem": re.compile(r"^[（(](\d{1,2})[）)]\s*(.*)$"),
    "point": re.compile(rf"^([{CIRCLED}])\s*(.*)$"),
}
_LEVEL_WORD = {"volume": "编", "chapter": "章", "division": "节"}
# Containers whose own heading line is not text of a chunk.
CONTAINERS = ("volume", "chapter", "division", "part")
_MAX_PART_TITLE = 30
_MAX_TITLE = 30


@dataclass
class _Open:
    kind: str
    rank: int
    number: int
    label: str
    title: str
    start: int
    children: list[_Open] = field(default_factory=list)
    end: int = -1


def _title_of(kind: str, rest: str) -> str:
    rest = rest.strip()
    if kind in ("volume", "chapter", "division"):
        return re.sub(r"\s+", "", rest)
    if kind == "article":
        return ""
    if kind in ("part", "box"):
        return rest
    head = re.split(r"[。：:]", rest, maxsplit=1)[0]
    return head if len(head) <= _MAX_TITLE else ""


def _label_of(kind: str, number: str, n: int) -> str:
    if kind in ("volume", "chapter", "division"):
        return f"第{number}{_LEVEL_WORD[kind]}"
    if kind == "article":
        return f"第{number}条"
    if kind == "part":
        return f"{number}、"
    if kind == "section":
        return f"（{number}）"
    if kind == "item":
        return f"{n}."
    if kind == "subitem":
        return f"（{n}）"
    if kind == "point":
        return number
    return f"专栏{n}"


class _Parser:
    def __init__(self, meta: DocumentMeta, text: str):
        self.meta = meta
        self.text = text
        self.articles = bool(re.search(r"(?m)^第[一二三四五六七八九十]+条", text))
        self.ranks = (
            {"volume": 1, "chapter": 2, "division": 3, "article": 4, "section": 5, "item": 6, "subitem": 7, "point": 8}
            if self.articles
            else {"chapter": 1, "part": 2, "section": 3, "box": 3, "item": 4, "subitem": 5, "point": 6}
        )
        self.last: dict[str, int] = {}

    def _heading(self, line: str):
        for kind, rank in self.ranks.items():
            m = _PATTERNS[kind].match(line)
            if not m:
                continue
            n = to_int(m.group(1))
            rest = m.group(2)
            if kind == "part" and (len(rest) > _MAX_PART_TITLE or re.search(r"[，,。；]", rest)):
                continue  # 一、通过电子邮件发送至… is a sentence of a notice, not a heading
            if kind != "box" and kind in self.last and n != 1 and n != self.last[kind] + 1:
                continue  # the count does not continue: not a heading
            # (the first heading of a level may have any number: an excerpt can start at （二）)
            return kind, rank, n, m.group(1), rest
        return None

    def parse(self) -> Section:
        root = _Open("document", 0, 0, "", self.meta.title, 0)
        stack = [root]
        offset = 0
        for line in self.text.split("\n"):
            head = self._heading(line) if line else None
            if head:
                kind, rank, n, number, rest = head
                self.last[kind] = n  # never reset: 1 always opens a list, and 辽宁's items count on across sections
                while stack[-1].rank >= rank:
                    stack.pop().end = offset
                node = _Open(kind, rank, n, _label_of(kind, number, n), _title_of(kind, rest), offset)
                stack[-1].children.append(node)
                stack.append(node)
            offset += len(line) + 1
        end = len(self.text)
        for node in stack:
            node.end = end
        return self._freeze(root, [])

    def _locator(self, node: _Open, parents: list[_Open]) -> str:
        if self.articles:
            named = [p for p in parents + [node] if p.kind in ("article", "section", "item", "subitem", "point")]
            if not named:
                return f"{node.label} {node.title}".strip()
            loc = ""
            for p in named:
                loc += p.label.rstrip(".") if p.kind == "item" else p.label
            return loc
        steps = [f"{p.label}{' ' if p.kind in ('item', 'box', 'subitem', 'point') else ''}{p.title}".strip()
                 for p in parents + [node]]
        return " > ".join(steps)

    def _preamble_locator(self, title: str) -> str:
        if "通知" in title and "印发" in title:
            return "印发通知"
        if "公告" in title:
            return "征求意见公告"
        return "引言"

    def _section(self, kind, label, title, locator, path, start, end, children) -> Section:
        span = self.text[start:end].rstrip("\n")
        return Section(
            doc_id=self.meta.id, kind=kind, label=label, title=title, locator=locator, path=path,
            start=start, end=start + len(span), text=span, children=children,
        )

    def _freeze(self, node: _Open, parents: list[_Open]) -> Section:
        children: list[Section] = []
        first_child_start = node.children[0].start if node.children else node.end
        if node.kind == "document" and first_child_start > node.start:
            pre = self.text[node.start:first_child_start]
            start = node.start
            if self.meta.lead and pre.startswith(self.meta.lead):
                # a reprint's news lead: its own section, then the document's own opening
                end = start + pre.index("\n") + 1
                children.append(self._section("preamble", "", "导语", "导语", ["导语"], start, end, []))
                start, pre = end, self.text[end:first_child_start]
            if pre.strip():
                loc = self._preamble_locator("".join(pre.split("\n")[:3]))  # a title may run over lines
                children.append(self._section("preamble", "", loc, loc, [loc], start, first_child_start, []))
        for child in node.children:
            children.append(self._freeze(child, parents + [node]))
        if node.kind == "document":
            return self._section("document", "", node.title, self.meta.short_title, [], 0, len(self.text), children)
        locator = self._locator(node, [p for p in parents if p.kind != "document"])
        path = [f"{p.label}{(' ' if p.kind in ('volume', 'chapter', 'division') else '')}{p.title}".strip()
                for p in parents + [node] if p.kind != "document"]
        return self._section(node.kind, node.label, node.title, locator, path, node.start, node.end, children)


def _paragraphs(meta: DocumentMeta, text: str) -> Section:
    """The tree of a text without headings: its title line (a short first line not closed by
    punctuation) as the preamble, then one section per paragraph, 第1段, 第2段 …"""
    nodes: list[Section] = []
    offset, n = 0, 0
    for i, line in enumerate(text.split("\n")):
        if line.strip():
            end = offset + len(line)
            if i == 0 and len(line) <= 60 and not re.search(r"[。；;！!？?]$", line):
                nodes.append(Section(doc_id=meta.id, kind="preamble", label="", title="标题", locator="标题",
                                     path=["标题"], start=offset, end=end, text=line))
            else:
                n += 1
                label = f"第{n}段"
                nodes.append(Section(doc_id=meta.id, kind="paragraph", label=label, locator=label, path=[label],
                                     start=offset, end=end, text=line))
        offset += len(line) + 1
    return Section(doc_id=meta.id, kind="document", label="", title=meta.title, locator=meta.short_title,
                   path=[], start=0, end=len(text.rstrip("\n")), text=text.rstrip("\n"), children=nodes)


def structured(doc: ParsedDocument) -> bool:
    """Whether the parser found headings in ``doc`` (else it was cut into paragraphs)."""
    return any(c.kind not in ("preamble", "paragraph") for c in doc.root.children)


def parse_document(meta: DocumentMeta, text: str) -> ParsedDocument:
    """Build the section tree of a cleaned document (by paragraphs when it has no headings)."""
    root = _Parser(meta, text).parse()
    if not any(c.kind != "preamble" for c in root.children) and text.strip():
        root = _paragraphs(meta, text)
    return ParsedDocument(meta=meta, text=text, root=root)


def walk(section: Section):
    """Yield ``section`` and all its descendants, depth first, in document order."""
    yield section
    for child in section.children:
        yield from walk(child)
