"""The help-desk console (Gradio Blocks, mounted at /console).

Three tabs for staff: search the articles directly (filter by document and status), browse each
document's tree (章 / 条 / sections) and open any article, and review the question log with its
feedback (all, or only the thumbs-down ones) with a CSV export. Adding, replacing and removing
documents and curating answers is the administrator's (``admin``, linked from the header).

The console shows what applicants asked, so it is served at its own path, apart from the public UI,
and ``auth.ConsoleGuard`` (see ``app``) guards that path. The CSV is downloaded from the app's
guarded export route (``export_url``), never through Gradio's file cache, which every mounted Gradio
app serves. Not handled here: authentication itself.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import gradio as gr

from assistant.errors import InputError
from assistant.web.i18n import DOC_STATUS
from assistant.web.render import passage_cards_html, tree_html
from assistant.web.service import WebService

REVIEW_HEADERS = ["时间", "渠道", "问题", "回答（摘要）", "拒答", "评价", "意见", "出处"]


def build_console(service: WebService, export_url: str = "export.csv") -> gr.Blocks:
    """The console Blocks; ``export_url`` is the CSV export route, relative to the console page."""
    a = service.assistant
    store = service.store
    docs = a.documents()
    doc_choices = [(m.short_title + ("" if m.status == "in_force" else f"（{DOC_STATUS[m.status]['zh']}）"), m.id)
                   for m in docs]
    status_choices = [(v["zh"], k) for k, v in DOC_STATUS.items()]

    with gr.Blocks(title="申报咨询 · 咨询台工作台", analytics_enabled=False) as console:
        gr.HTML(
            '<div class="qsl-header"><div class="qsl-emblem" aria-hidden="true">质</div><div>'
            '<div class="qsl-title">咨询台工作台</div>'
            '<div class="qsl-subtitle">条文检索 · 文件目录 · 问答记录与反馈（仅限工作人员）'
            ' · <a href="/admin/" style="color:inherit">知识库管理（管理员）</a></div></div></div>',
            elem_classes="qsl-top",
        )
        with gr.Tabs():
            with gr.Tab("条文检索", id="search"):
                with gr.Row():
                    query = gr.Textbox(label="检索词", placeholder="例如：推荐单位、验收、仪器设备现值", scale=4,
                                       elem_id="qsl-c-query")
                    k = gr.Slider(1, 30, value=8, step=1, label="结果数", scale=1)
                with gr.Row():
                    doc_filter = gr.Dropdown(doc_choices, multiselect=True, label="文件（不选为全部）", scale=3)
                    status_filter = gr.Dropdown(status_choices, multiselect=True, label="文件状态（不选为全部）", scale=2)
                search_btn = gr.Button("检索", variant="primary", elem_id="qsl-c-search")
                results = gr.HTML("", elem_id="qsl-c-results")

            with gr.Tab("文件目录", id="browse"):
                doc_pick = gr.Dropdown(doc_choices, value=docs[0].id if docs else None, label="文件", elem_id="qsl-c-doc")
                tree = gr.HTML("", elem_id="qsl-c-tree")

            with gr.Tab("问答与反馈", id="review"):
                with gr.Row():
                    only_negative = gr.Radio([("全部问答", False), ("仅看差评", True)], value=False, show_label=False,
                                             elem_id="qsl-c-filter", scale=3)
                    refresh = gr.Button("刷新", scale=1, size="sm")
                    download = gr.Button("导出 CSV", scale=1, size="sm", elem_id="qsl-c-export",
                                         link=_export_link(export_url, False))
                summary = gr.HTML("")
                table = gr.Dataframe(headers=REVIEW_HEADERS, interactive=False, wrap=True, elem_id="qsl-c-table",
                                     column_widths=["12%", "7%", "19%", "26%", "6%", "6%", "12%", "12%"])

        def do_search(q: str, kk: float, doc_ids: list[str], statuses: list[str]) -> str:
            if not (q or "").strip():
                return '<div class="qsl-empty">请输入检索词。</div>'
            try:
                passages = a.search(q, int(kk), doc_ids=doc_ids or None, statuses=statuses or None)
            except InputError as e:
                return f'<div class="qsl-message qsl-message-error">{html.escape(str(e))}</div>'
            return passage_cards_html(passages, "zh")

        search_io = dict(inputs=[query, k, doc_filter, status_filter], outputs=results, api_visibility="private")
        search_btn.click(do_search, **search_io)
        query.submit(do_search, **search_io)

        def show_tree(doc_id: str | None) -> str:
            return tree_html(a.document(doc_id)) if doc_id else ""

        doc_pick.change(show_tree, doc_pick, tree, api_visibility="private")

        def review(neg: bool):
            rows = store.questions(only_negative=bool(neg))
            data = [
                [q.time_text, q.channel, q.question, _clip(q.answer, 160), "是" if q.refused else "",
                 {1: "好评", -1: "差评"}.get(q.rating, ""), q.comment, _sources(q.citations)]
                for q in rows
            ]
            all_rows = store.questions(limit=1_000_000)
            down = sum(1 for q in all_rows if q.rating == -1)
            up = sum(1 for q in all_rows if q.rating == 1)
            text = f'<div class="qsl-form-intro">共 {len(all_rows)} 条问答，好评 {up} 条，差评 {down} 条；当前显示 {len(data)} 条。</div>'
            link = _export_link(export_url, bool(neg))
            return gr.Dataframe(value=data or None, headers=REVIEW_HEADERS), gr.Button(link=link), text

        review_io = dict(inputs=only_negative, outputs=[table, download, summary], api_visibility="private")
        only_negative.change(review, **review_io)
        refresh.click(review, **review_io)
        console.load(review, **review_io)
        console.load(show_tree, doc_pick, tree, api_visibility="private")
    return console


def _export_link(export_url: str, only_negative: bool) -> str:
    # The export follows the filter shown (all rows of it, where the table shows the latest 500).
    return export_url + ("?" + urlencode({"only_negative": "true"}) if only_negative else "")


def _sources(citations: list[str]) -> str:
    """Distinct citations, the first two in full (the CSV export keeps them all)."""
    distinct = list(dict.fromkeys(citations))
    head = "；".join(distinct[:2])
    return head + (f" 等{len(distinct)}处" if len(distinct) > 2 else "")


def _clip(text: str, n: int) -> str:
    text = " ".join(text.replace("**", "").split())  # a table cell shows words, not markdown
    return text if len(text) <= n else text[: n - 1] + "…"
