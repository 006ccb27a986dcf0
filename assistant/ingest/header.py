"""What a policy text says about itself in its header and sign-off: title, 文号, issuing bodies,
date, and whether it is a draft for comment.

Read from the text as printed (the first lines and the last ones):
- the title: the 《…》 of a notice issuing it (关于印发《…》的通知), else the first title-like line
  (short, not closed by 。, naming a kind of policy text: 办法, 细则, 方案, 意见 …);
- the 文号: 国市监质发〔2023〕92号, with 〔〕, [], 【】 or () around the year (written back with 〔〕);
- the date: 发文日期 / 印发日期 / 成文日期：2024年3月5日, else a line that is only a date (the
  sign-off), in Arabic or Chinese numerals (二〇二四年三月五日), as ISO YYYY-MM-DD;
- the issuers: 发文机关：…, else the bodies before 关于 in the notice's title, else the sign-off
  line above the date;
- draft: 征求意见稿 in the first lines.

Each fact found comes back with its verbatim span, so the catalog can record where it is printed.
Anything not found is None: the person adding the document gives it (the CLI and console say so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KINDS = ("实施细则", "细则", "管理办法", "办法", "实施方案", "方案", "指导意见", "意见", "通知", "规定", "纲要",
          "决定", "规划", "指引", "指南", "公告", "条例", "措施", "规则", "标准", "计划", "要点")
_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
_DATE = re.compile(r"((?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                   r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
_FIELD_DATE = re.compile(r"^(?:发文日期|印发日期|成文日期|发布日期|日期)\s*[:：]\s*(.+)$")
_FIELD_ISSUER = re.compile(r"^(?:发文机关|发布机关|发文单位|发布单位)\s*[:：]\s*(.+)$")
_NOTICE = re.compile(r"^(.{2,80}?)关于(?:印发|发布|公布)?.*?《([^》]{4,80})》.*?的?(?:通知|公告)$")


@dataclass
class HeaderFacts:
    title: str | None = None
    number: str | None = None
    date: str | None = None
    issuers: list[str] = field(default_factory=list)
    draft: bool = False
    kind: str | None = None
    spans: dict[str, str] = field(default_factory=dict)  # fact -> the words printed


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(c in _CN_DIGIT for c in text):
        return int("".join(_CN_DIGIT[c] for c in text))
    import cn2an

    return int(cn2an.cn2an(text, "smart"))


def iso_date(text: str) -> str | None:
    """2024年3月5日 / 二〇二四年三月五日 -> 2024-03-05 (None when there is no valid date)."""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        y, mo, d = (_cn_number(g) for g in m.groups())
    except (ValueError, KeyError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def kind_of(title: str) -> str | None:
    """The kind of policy text a title names (实施细则, 管理办法, 指导意见 …)."""
    return next((k for k in _KINDS if title.rstrip("）)").split("（")[0].endswith(k)), None)


def _issuers(text: str) -> list[str]:
    return [x for x in re.split(r"[\s、，,]+", text.strip()) if len(x) >= 2]


def read_header(text: str) -> HeaderFacts:
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    head, tail = lines[:12], lines[-8:]
    facts = HeaderFacts()
    for line in head:
        m = _NOTICE.match(line)
        if m and facts.title is None:
            facts.title = m.group(2)
            facts.issuers = _issuers(m.group(1))
            facts.spans["issuers"] = line
        elif facts.title is None and len(line) <= 60 and not re.search(r"[。；]$", line) and kind_of(line.replace("（征求意见稿）", "")):
            facts.title = line
    if facts.title:
        facts.draft = "征求意见稿" in facts.title
        facts.title = re.sub(r"[（(]\s*征求意见稿\s*[）)]", "", facts.title).strip()
        facts.kind = kind_of(facts.title)
    facts.draft = facts.draft or any("征求意见稿" in x for x in head)
    for line in head + tail:
        m = _NUMBER.search(line)
        if m and facts.number is None:
            facts.number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
            facts.spans["number"] = m.group(0)
    for line in head + tail:
        m = _FIELD_ISSUER.match(line)
        if m:
            facts.issuers = _issuers(m.group(1))
            facts.spans["issuers"] = line
        m = _FIELD_DATE.match(line)
        if m and iso_date(m.group(1)) and "date" not in facts.spans:
            facts.date = iso_date(m.group(1))
            facts.spans["date"] = _DATE.search(m.group(1)).group(0)
    if facts.date is None:
        for i, line in enumerate(head + tail):
            m = _DATE.fullmatch(line.strip("（）() "))
            if m and iso_date(line):
                facts.date = iso_date(line)
                facts.spans["date"] = m.group(0)
                block = head + tail
                if not facts.issuers and i > 0 and len(block[i - 1]) <= 40 and not re.search(r"[。；：:]", block[i - 1]):
                    facts.issuers = _issuers(block[i - 1])
                    facts.spans["issuers"] = block[i - 1]
                break
    return facts
