"""Policy files made by the tests: a 实施细则 of 30 articles (章 / 节 / 条 / （一） / 1. / （1） / ①)
written as .txt, .docx (python-docx), .pdf (reportlab, with a CJK font the PDF reader maps back to
text) and .html (a government page with its menus and footer), plus broken files.

Imported by test modules (``from policy_files import …``); nothing here is a fixture.
"""

from __future__ import annotations

import io

TITLE = "国家质量标准实验室申报评审实施细则"
NUMBER = "国市监质发〔2025〕8号"
ISSUERS = "市场监管总局 工业和信息化部"
DATE = "2025年3月18日"

# Article 5 and 12 carry the facts the tests ask about; the others make a document of 30 articles.
_ARTICLES = {
    1: "为了规范国家质量标准实验室的申报和评审工作，根据《国家质量标准实验室管理办法》，制定本细则。",
    2: "本细则适用于国家质量标准实验室的申报、形式审查、专家评审和结果公示。",
    5: "申报单位应当于每年4月30日前通过申报系统提交申报材料，逾期不予受理。",
    6: "申报材料包括：\n（一）申报书；\n（二）依托单位承诺书；\n（三）近三年主持制定标准的证明材料，其中：\n"
       "1.国际标准的立项或发布文件；\n2.国家标准的发布公告，包括：\n（1）强制性国家标准；\n（2）推荐性国家标准。\n"
       "（四）其他材料：\n①仪器设备清单；\n②科研用房产权证明。",
    12: "形式审查由推荐单位在收到申报材料后15个工作日内完成，审查结果书面告知申报单位。",
    18: "专家评审组由不少于7名专家组成，评审组组长由市场监管总局指定。",
    25: "评审结果在市场监管总局网站公示，公示期为10个工作日。",
}


def articles() -> dict[int, str]:
    out = {}
    for n in range(1, 31):
        out[n] = _ARTICLES.get(n, f"第{n}项评审工作按照公开、公平、公正的原则组织，相关单位应当如实提供与第{n}项工作有关的情况。")
    return out


def _cn(n: int) -> str:
    import cn2an

    return cn2an.an2cn(n)


def lines(title: str = TITLE, number: str = NUMBER, extra: str = "") -> list[str]:
    """The document as printed: its issuing notice, title, then 章 / 节 / 条."""
    out = [f"{ISSUERS.replace(' ', ' ')}关于印发《{title}》的通知", number,
           "各省、自治区、直辖市市场监管局（厅、委）、工业和信息化主管部门：",
           f"现将《{title}》印发给你们，请遵照执行。", ISSUERS, DATE, title]
    chapters = {1: ("总则", None), 3: ("申报", "第一节　申报材料"), 10: ("形式审查", None), 16: ("专家评审", "第一节　评审组"),
                22: ("公示与公布", None), 28: ("附则", None)}
    ch = 0
    for n, text in articles().items():
        if n in chapters:
            ch += 1
            name, section = chapters[n]
            out.append(f"第{_cn(ch)}章　{name}")
            if section:
                out.append(section)
        body = text + (extra if n == 30 else "")
        first, *rest = body.split("\n")
        out.append(f"第{_cn(n)}条　{first}")
        out.extend(rest)
    return out


def txt(**kw) -> bytes:
    return ("\n".join(lines(**kw)) + "\n").encode("utf-8")


def docx(**kw) -> bytes:
    import docx as python_docx

    d = python_docx.Document()
    for line in lines(**kw):
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "联系人"
    table.rows[0].cells[1].text = "质量发展局"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf(**kw) -> bytes:
    """Each line wrapped at 38 characters as a page would print it, with page numbers and a running
    header: the reader must join the lines and drop the furniture."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    rows = []
    for line in lines(**kw):
        rows += [line[i:i + 38] for i in range(0, len(line), 38)] or [""]
    page = 1
    for start in range(0, len(rows), 40):
        c.setFont("STSong-Light", 9)
        c.drawString(60, 810, "市场监管总局文件")
        c.setFont("STSong-Light", 12)
        for k, row in enumerate(rows[start:start + 40]):
            c.drawString(60, 780 - 18 * k, row)
        c.setFont("STSong-Light", 10)
        c.drawString(290, 30, f"- {page} -")
        c.showPage()
        page += 1
    c.save()
    return buf.getvalue()


def html(**kw) -> bytes:
    body = "".join(f"<p>{x}</p>" for x in lines(**kw))
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{TITLE}_政策文件_市场监管总局</title>
<script>var tracker = 1;</script><style>p{{margin:0}}</style></head><body>
<header><nav><a href="/">首页</a> <a href="/zw">政务公开</a> <a href="/bs">办事服务</a></nav></header>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div id="zoom" class="article">{body}</div>
<footer>主办单位：市场监管总局 网站标识码 bm30000012 <a href="#">网站地图</a></footer>
</body></html>"""
    return page.encode("utf-8")


FORMATS = {".txt": txt, ".docx": docx, ".pdf": pdf, ".html": html}


def broken() -> dict[str, bytes]:
    """Files that must be refused: a corrupt PDF, an empty docx, text in no known encoding."""
    import docx as python_docx

    empty = io.BytesIO()
    python_docx.Document().save(empty)
    return {
        "corrupt.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage\n%%EOF",
        "truncated.pdf": pdf()[:400],
        "empty.docx": empty.getvalue(),
        "notazip.docx": b"PK\x03\x04 this is not really a docx",
        "binary.txt": bytes(range(128, 256)) * 8,
        "empty.html": b"",
        "image.png": b"\x89PNG\r\n\x1a\n",
    }
