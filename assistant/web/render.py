"""HTML for answers, citations, eligibility reports and articles — one renderer for every surface.

The chat UI, the widget page, the help-desk console and the REST API (which returns the same
fragment for clients that want it) all show an answer the same way: the answer text, the
eligibility table when the message carried figures, the citation cards, and a copy action.

Everything that comes from the documents or the user is escaped here; answer text goes through
markdown-it with raw HTML disabled, so neither a document nor a question can inject markup.
Citation cards are plain links to ``/article?…`` (a page of this app); ``static/qsl.js`` turns a
click into an overlay with the article, so the links still work where scripts do not run.

Not handled: layout of the page around these fragments (Gradio and the widget page do that).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from markdown_it import MarkdownIt

from assistant.types import Answer, Citation, ParsedDocument, Passage, Section
from assistant.web.i18n import CHANNEL, CRITERIA, DOC_STATUS, OVERALL, STATUS, label, t

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable("image")

esc = html.escape


# --------------------------------------------------------------------------------------------
# finding and highlighting quotes
# --------------------------------------------------------------------------------------------


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Span of ``quote`` in ``text``, ignoring differences in whitespace (quotes are verbatim up to
    whitespace, and the cleaned text keeps line breaks that a quote may have joined)."""
    quote = quote.strip()
    if not quote:
        return None
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    chars = [c for c in quote if not c.isspace()]
    if not chars:
        return None
    pattern = r"\s*".join(re.escape(c) for c in chars)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def highlighted(text: str, quote: str | None) -> tuple[str, bool]:
    """``text`` as escaped HTML with the quoted span in ``<mark>``; whether the quote was found."""
    span = find_quote(text, quote) if quote else None
    if span is None:
        return _paragraphs(esc(text)), False
    s, e = span
    body = esc(text[:s]) + '<mark class="qsl-hl" id="qsl-hl">' + esc(text[s:e]) + "</mark>" + esc(text[e:])
    return _paragraphs(body), True


def _paragraphs(escaped: str) -> str:
    # Policy text is line-oriented (条, 款, 项 each start a line); keep the lines.
    return "<br>".join(escaped.splitlines())


# --------------------------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------------------------


def article_href(doc_id: str, locator: str, quote: str | None = None) -> str:
    params = {"doc": doc_id, "locator": locator}
    if quote:
        params["quote"] = quote
    return "/article?" + urlencode(params)


def answer_text_html(text: str) -> str:
    """The answer's own words: markdown (lists, emphasis) to HTML, raw HTML escaped; ``[n]``
    markers become links to the matching citation card."""
    out = _md.render(text or "")
    return re.sub(r"\[(\d{1,2})\]", r'<sup class="qsl-ref">[\1]</sup>', out)


def citation_card(c: Citation, n: int, lang: str) -> str:
    status = ""
    if c.status != "in_force":
        status = f'<span class="qsl-badge qsl-badge-{esc(c.status)}">{esc(label(DOC_STATUS, c.status, lang))}</span>'
    quote = c.quote.strip()
    if len(quote) > 160:
        quote = quote[:157] + "…"
    return (
        f'<a class="qsl-cite" href="{esc(article_href(c.doc_id, c.locator, c.quote))}" target="_blank" rel="noopener">'
        f'<span class="qsl-cite-head"><span class="qsl-cite-n">{n}</span>'
        f'<span class="qsl-cite-doc">{esc(_short(c.doc_title))}</span>'
        f'<span class="qsl-cite-loc">{esc(c.locator)}</span>{status}</span>'
        f'<span class="qsl-cite-quote">“{esc(quote)}”</span>'
        f'<span class="qsl-cite-open">{esc(t("open_article", lang))} ›</span>'
        "</a>"
    )


def _short(title: str) -> str:
    title = title.strip()
    return title if title.startswith("《") else f"《{title}》"


VISIBLE_CARDS = 4


def citations_html(citations: list[Citation], lang: str) -> str:
    """Cards in marker order; beyond the first few (an eligibility answer cites every clause of
    第十二条) the rest fold under a summary line so the answer stays readable."""
    if not citations:
        return ""
    numbered = sorted(((c.marker or i, c) for i, c in enumerate(citations, 1)), key=lambda x: x[0])
    cards = [citation_card(c, n, lang) for n, c in numbered]
    shown = "".join(cards[:VISIBLE_CARDS])
    rest = cards[VISIBLE_CARDS:]
    more = ""
    if rest:
        more = (f'<details class="qsl-more"><summary>{esc(t("more_sources", lang, n=len(rest)))}</summary>'
                f'{"".join(rest)}</details>')
    return f'<div class="qsl-sources"><div class="qsl-sources-title">{esc(t("sources", lang))}</div>{shown}{more}</div>'


def answer_html(answer: Answer, lang: str | None = None) -> str:
    """The whole assistant message: text, eligibility table, citation cards, copy action.

    Everything is on one line: the chat's markdown pass would end an HTML block at a blank line."""
    lang = lang or answer.language
    parts = [f'<div class="qsl-answer{" qsl-refused" if answer.refused else ""}">']
    if answer.eligibility:
        # The table shows the report; the text keeps only what the answer adds around it.
        parts.append(eligibility_html(answer.eligibility, lang))
        rest = _without_report_text(answer.text, answer.eligibility)
        if rest:
            parts.append(f'<div class="qsl-text">{answer_text_html(rest)}</div>')
    else:
        parts.append(f'<div class="qsl-text">{answer_text_html(answer.text)}</div>')
    parts.append(citations_html(answer.citations, lang))
    # The copy action rebuilds the text from this fragment (qsl.js): the chat's sanitiser drops
    # data- attributes, so the fragment itself is the single source of what gets copied.
    parts.append(
        '<div class="qsl-actions"><button type="button" class="qsl-copy">'
        f'<span class="qsl-copy-label">{esc(t("copy", lang))}</span>'
        f'<span class="qsl-copy-done">{esc(t("copied", lang))}</span></button></div>'
    )
    parts.append("</div>")
    return _one_line("".join(parts))


def _without_report_text(text: str, report: dict) -> str:
    """``text`` without the report's plain-text rendering, which the chat puts into the answer for
    text-only clients; if the text does not hold that rendering verbatim, it is kept whole."""
    try:
        from assistant.eligibility import EligibilityReport, render

        rendered = render(EligibilityReport.model_validate(report)).strip()
    except Exception:  # a report of another shape: show the text as it is, never lose words
        return text
    i = text.find(rendered) if rendered else -1
    if i < 0:
        return text
    return (text[:i] + text[i + len(rendered):]).strip()


def _one_line(fragment: str) -> str:
    """Drop the newlines between tags (markdown-it emits them); text lines are already <br>."""
    return fragment.replace("\n", "")


def streaming_html(text: str) -> str:
    """The message while it streams: the words so far, rendered the same way as the final text."""
    return _one_line(f'<div class="qsl-answer qsl-streaming"><div class="qsl-text">{answer_text_html(text)}</div></div>')


# --------------------------------------------------------------------------------------------
# eligibility reports
# --------------------------------------------------------------------------------------------


def _as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return dict(obj) if isinstance(obj, Mapping) else {"value": obj}


def _citation_label(cit: Any) -> str:
    if not cit:
        return ""
    if isinstance(cit, str):
        return cit
    d = _as_dict(cit)
    loc = d.get("locator") or d.get("clause") or ""
    return f"{loc}" if loc else str(d.get("doc_title", ""))


def _citation_link(cit: Any) -> str:
    d = _as_dict(cit) if cit and not isinstance(cit, str) else {}
    text = esc(_citation_label(cit))
    if d.get("doc_id") and d.get("locator"):
        href = article_href(d["doc_id"], d["locator"], d.get("quote"))
        return f'<a class="qsl-clause" href="{esc(href)}" target="_blank" rel="noopener">{text}</a>'
    return text


def eligibility_html(report: Any, lang: str) -> str:
    """The report of issue 4 as a table with a status per condition (and its clause), then the
    verdict, the recommendation channel, the priority, notes and what to prepare next.
    Field texts come from the report, in the report's language."""
    r = _as_dict(report)
    rows = []
    for c in r.get("criteria") or []:
        c = _as_dict(c)
        cid = str(c.get("id", ""))
        name = c.get("title") or c.get("label") or label(CRITERIA, cid, lang)
        status = str(c.get("status", "unknown"))
        detail = str(c.get("detail") or "")
        for g in c.get("gaps") or []:
            gap = _as_dict(g).get("text")
            if gap and gap not in detail:
                detail += f"（{gap}）"
        rows.append(
            f'<tr class="qsl-row-{esc(status)}"><td class="qsl-c-name">{esc(str(name))}</td>'
            f'<td><span class="qsl-status qsl-status-{esc(status)}">{esc(label(STATUS, status, lang))}</span></td>'
            f'<td class="qsl-c-detail">{esc(detail)}</td>'
            f'<td class="qsl-c-clause">{_citation_link(c.get("citation"))}</td></tr>'
        )
    overall = r.get("overall")
    parts = ['<div class="qsl-elig">']
    parts.append(f'<div class="qsl-elig-title">{esc(t("elig_title", lang))}</div>')
    if overall:
        detail = r.get("overall_detail")
        parts.append(
            f'<div class="qsl-verdict qsl-verdict-{esc(str(overall))}"><span>{esc(t("overall", lang))}：</span>'
            f"<strong>{esc(label(OVERALL, str(overall), lang))}</strong>"
            + (f'<div class="qsl-verdict-detail">{esc(str(detail))}</div>' if detail else "")
            + "</div>"
        )
    parts.append(
        '<table class="qsl-table"><thead><tr>'
        f'<th>{esc(t("col_condition", lang))}</th><th>{esc(t("col_status", lang))}</th>'
        f'<th>{esc(t("col_detail", lang))}</th><th>{esc(t("col_clause", lang))}</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    facts = []
    channel = r.get("channel")
    if isinstance(channel, str) or channel is None:
        facts.append((t("channel", lang), esc(label(CHANNEL, channel or "unknown", lang))))
    else:
        facts.append((t("channel", lang), esc(_plain(channel))))
    if r.get("priority"):
        facts.append((t("priority", lang), esc(_plain(r["priority"]))))
    warnings = [_plain(w) for w in r.get("warnings") or []]
    if warnings:
        facts.append((t("warnings", lang), _list(warnings)))
    nxt = r.get("next_steps") or []
    if nxt:
        facts.append((t("next_steps", lang), _list([_plain(i) for i in (nxt if isinstance(nxt, list) else [nxt])])))
    items = "".join(f"<li><span>{esc(k)}：</span>{v}</li>" for k, v in facts)
    parts.append(f'<ul class="qsl-elig-facts">{items}</ul>')
    parts.append(f'<div class="qsl-elig-note">{esc(t("elig_note", lang))}</div></div>')
    return "".join(parts)


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items if i) + "</ul>"


def _plain(value: Any) -> str:
    """A report field that may be a string or a small object (channel, priority …) as one line."""
    if isinstance(value, str):
        return value
    d = _as_dict(value)
    for key in ("detail", "text", "message", "reason", "label"):
        if d.get(key):
            return str(d[key])
    return ""


# --------------------------------------------------------------------------------------------
# articles, search results, document trees (console)
# --------------------------------------------------------------------------------------------


def article_body_html(section: Section, quote: str | None) -> tuple[str, bool]:
    return highlighted(section.text, quote)


def passage_cards_html(passages: Iterable[Passage], lang: str) -> str:
    cards = []
    for p in passages:
        text = p.text.strip()
        snippet = text if len(text) <= 220 else text[:217] + "…"
        badge = ""
        if p.status != "in_force":
            badge = f'<span class="qsl-badge qsl-badge-{esc(p.status)}">{esc(label(DOC_STATUS, p.status, lang))}</span>'
        cards.append(
            f'<a class="qsl-cite qsl-result" href="{esc(article_href(p.doc_id, p.locator))}" target="_blank" rel="noopener">'
            f'<span class="qsl-cite-head"><span class="qsl-cite-doc">{esc(p.doc_short_title or _short(p.doc_title))}</span>'
            f'<span class="qsl-cite-loc">{esc(p.locator)}</span>{badge}'
            f'<span class="qsl-score">{p.score:.3f}</span></span>'
            f'<span class="qsl-cite-quote">{esc(snippet)}</span></a>'
        )
    if not cards:
        return '<div class="qsl-empty">没有找到相关条文 / No matching articles</div>'
    return '<div class="qsl-results">' + "".join(cards) + "</div>"


_TREE_KINDS = {"volume", "chapter", "division", "article", "part", "section", "box", "preamble", "paragraph"}


def tree_html(doc: ParsedDocument) -> str:
    """A document's tree (章 / 条 / numbered sections) as nested lists; every node opens its text."""

    def node(s: Section, depth: int) -> str:
        kids = [k for k in s.children if k.kind in _TREE_KINDS]
        name = esc(" ".join(x for x in (s.label, s.title) if x)) or esc(s.locator)
        link = f'<a class="qsl-tree-link" href="{esc(article_href(s.doc_id, s.locator))}" target="_blank" rel="noopener">{name}</a>'
        if s.kind == "article" and not s.title:
            # 条 have no headings: their first words tell staff which one to open.
            body = " ".join(s.text[len(s.label):].split())
            link += f'<span class="qsl-tree-snip">{esc(body[:30] + ("…" if len(body) > 30 else ""))}</span>'
        if not kids:
            return f"<li>{link}</li>"
        inner = "".join(node(k, depth + 1) for k in kids)
        # Top-level headings start open (the 条 are visible at once); the parts of a 条 start folded.
        return f'<li><details{" open" if depth == 0 else ""}><summary>{link}</summary><ul>{inner}</ul></details></li>'

    top = [k for k in doc.root.children if k.kind in _TREE_KINDS]
    meta = doc.meta
    head = (
        f'<div class="qsl-tree-head"><strong>{esc(meta.title)}</strong>'
        f'<span>{esc(" ".join(x for x in (", ".join(meta.issuers), meta.number or "", meta.date) if x))}</span>'
        f'<span class="qsl-badge qsl-badge-{esc(meta.status)}">{esc(label(DOC_STATUS, meta.status, "zh"))}</span></div>'
    )
    return f'<div class="qsl-tree">{head}<ul>{"".join(node(k, 0) for k in top)}</ul></div>'


def outline_text(doc: ParsedDocument, max_lines: int = 60) -> str:
    """A document's tree as indented plain text (the CLI's preview before a document is added)."""
    lines: list[str] = []

    def node(s: Section, depth: int) -> None:
        words = " ".join(s.text[len(s.label):].split()) if not s.title else s.title
        lines.append(f"{'  ' * depth}{s.locator if depth == 0 or s.kind == 'article' else s.label}  {words[:40]}")
        for k in s.children:
            node(k, depth + 1)

    for top in doc.root.children:
        node(top, 0)
    more = len(lines) - max_lines
    return "\n".join(lines[:max_lines] + ([f"… ({more} more sections)"] if more > 0 else []))


def enclosing_article(doc: ParsedDocument, section: Section) -> Section:
    """The 条 (article) that holds ``section``; for documents numbered 一、（一）… rather than by 条,
    the smallest part or section around a cited item. A cited 项 is shown within its whole 条."""
    chain = _chain(doc.root, section)
    if not chain:
        return section
    for s in reversed(chain):
        if s.kind == "article":
            return s
    if section.kind in {"item", "subitem", "point", "paragraph"}:
        for s in reversed(chain[:-1]):
            if s.kind in {"part", "section", "box"}:
                return s
    return chain[-1]


def _chain(node: Section, target: Section) -> list[Section]:
    """Path from ``node`` down to the node that is ``target`` (same locator and start), or []."""
    if node.locator == target.locator and node.start == target.start and node.kind == target.kind:
        return [node]
    for k in node.children:
        if k.start <= target.start and target.end <= k.end:
            sub = _chain(k, target)
            if sub:
                return [node] + sub
    return []
