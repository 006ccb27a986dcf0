"""Policy files -> their text, one paragraph a line, by format: .txt, .docx, .pdf, .html.

Each reader uses the library made for its format (python-docx, pypdf, selectolax) and raises
``IngestError`` with a message a person can act on for a file it cannot read (a corrupt PDF, an
empty .docx, a text in no known encoding); nothing is written by any reader.

What each does beyond extracting text:
- .txt: UTF-8 (with or without BOM) or GB 18030 (GBK, GB 2312), the encodings Chinese offices use;
- .docx: body paragraphs and table rows in document order (a row's cells joined by spaces);
- .pdf: page furniture removed (page numbers such as "- 3 -", 第3页 / 共9页, "3/9", and a running
  header or footer repeated on most pages), and lines that the page width broke mid-paragraph
  joined again (a line as long as the page's full lines and not closed by punctuation continues);
- .html: scripts, styles, navigation, headers, footers, forms and asides dropped; the text of the
  page's main content (``article``, ``main``, or the element a government site's CMS puts it in)
  block by block. The menus a reprint site still leaves are removed later by the corpus cleaning
  (``assistant.corpus.cleaning``), as for the seeds.

Not handled: scanned PDFs without a text layer (refused: they need OCR first), Word's automatic
list numbers (python-docx does not render them; typed numbers are kept), legacy .doc files.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import PurePath

from assistant.errors import InputError
from assistant.corpus.cleaning import HEADING_START

FORMATS = (".txt", ".docx", ".pdf", ".html", ".htm")


class IngestError(InputError):
    """A file that cannot be taken in; the message says why and what to do."""


def read_text(data: bytes, filename: str) -> str:
    """The text of the file ``filename`` whose bytes are ``data``."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise IngestError(f"{filename}: unsupported file type {suffix or '(none)'}; give one of "
                          f"{', '.join(FORMATS)}. 不支持的文件类型，请上传 txt、docx、pdf 或 html 文件。")
    if not data:
        raise IngestError(f"{filename}: the file is empty. 文件为空。")
    reader = {".txt": _txt, ".docx": _docx, ".pdf": _pdf, ".html": _html, ".htm": _html}[suffix]
    text = reader(data, filename)
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    text = "\n".join(line for line in lines if line)
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 20 and len(text) < 200:
        raise IngestError(f"{filename}: no text could be read from the file (a scanned PDF needs OCR first). "
                          "未能从文件中读出文字（扫描版 PDF 需先做文字识别）。")
    return text + "\n"


def _txt(data: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{filename}: the text is neither UTF-8 nor GB 18030. 文本编码无法识别（请存为 UTF-8）。")


def _docx(data: bytes, filename: str) -> str:
    import zipfile

    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise IngestError(f"{filename}: not a readable Word (.docx) file ({type(e).__name__}). "
                          "不是有效的 Word（.docx）文件。") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))).strip() for cell in row.iter(qn("w:tc"))]
                lines.append(" ".join(c for c in cells if c))
    if not any(line.strip() for line in lines):
        raise IngestError(f"{filename}: the Word document has no text. Word 文件中没有文字。")
    return "\n".join(lines)


_PAGE_NUMBER = re.compile(r"^([-—–－·\s]*\d{1,4}[-—–－·\s]*|第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
_CLOSED = re.compile(r"[。；;！!？?：:”\"」』）)]$")


def _pdf(data: bytes, filename: str) -> str:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(f"{filename}: the PDF is encrypted. PDF 文件已加密，请上传未加密的文件。")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise IngestError(f"{filename}: not a readable PDF ({type(e).__name__}). PDF 文件已损坏或无法读取。") from None
    page_lines = [[line.strip() for line in p.split("\n") if line.strip()] for p in pages]
    # A running header or footer: the same first or last line on most pages.
    edges = Counter(x for lines in page_lines if lines for x in {lines[0], lines[-1]})
    repeated = {x for x, n in edges.items() if len(page_lines) >= 3 and n >= len(page_lines) / 2}
    lines = [x for page in page_lines for x in page if not _PAGE_NUMBER.match(x) and x not in repeated]
    if not lines:
        return ""
    full = sorted(len(x) for x in lines)[int(0.9 * (len(lines) - 1))]  # the length of a full line
    out: list[str] = []
    last = ""  # the previous line as printed (``out[-1]`` may be several joined)
    for x in lines:
        if out and len(last) >= 0.8 * full and not _CLOSED.search(last) and not HEADING_START.match(x):
            out[-1] += x
        else:
            out.append(x)
        last = x
    return "\n".join(out)


_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button", "select")
_BLOCKS = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "section",
           "article", "main", "dd", "dt", "caption", "tr", "table", "ul", "ol", "body"}
# Where government sites' CMSs (TRS and the like) put an article, after <article> and <main>.
_MAIN = ("article", "main", "#zoom", ".TRS_Editor", "#UCAP-CONTENT", ".article-content", ".content", "#content")


def _html(data: bytes, filename: str) -> str:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    text = _txt(data, filename) if not data.lstrip().startswith(b"\xff\xfe") else data.decode("utf-16")
    tree = HTMLParser(text)
    for tag in _DROP:
        for node in tree.css(tag):
            node.decompose()
    main = next((n for sel in _MAIN for n in tree.css(sel) if len(n.text(strip=True)) > 200), None) or tree.body
    if main is None:
        raise IngestError(f"{filename}: the HTML page has no body. 网页没有正文。")
    for br in main.css("br"):
        br.replace_with("\n")
    lines: list[str] = []

    def has_block(node) -> bool:
        return any(c.tag in _BLOCKS for c in node.traverse(include_text=False) if c is not node)

    def walk(node) -> None:
        """A block without blocks inside is one line; a block holding blocks gives its runs of
        text and inline elements as lines between those of its blocks."""
        if not has_block(node):
            lines.append(node.text(deep=True, separator=""))
            return
        run = ""
        for c in node.iter(include_text=True):
            if c.tag == "-text" or (c.tag not in _BLOCKS and not has_block(c)):
                run += c.text(deep=True, separator="") if c.tag != "-text" else (c.text_content or "")
            else:
                lines.append(run)
                run = ""
                walk(c)
        lines.append(run)

    walk(main)
    return "\n".join(x for line in lines for x in line.split("\n"))
