"""The administration pages (/admin): staff keep the knowledge current without a developer.

A role above the help-desk's read-only console, behind its own credentials
(``Settings.web.admin_user`` / ``admin_password``, HTTP Basic through ``auth.ConsoleGuard``; without
a password, loopback clients only). Plain server-rendered HTML forms (no scripts needed), so they
work in any browser and with the keyboard alone.

- ``/admin/``: the documents (status, 文号, date, what supersedes what), upload a policy file with
  its catalog facts, remove a document; the history of who changed what.
- ``/admin/documents/preview`` (POST, the upload): the file read and parsed exactly as it will be
  indexed: its facts, warnings and section tree, before anything is written. The upload waits under
  ``web.data_dir/drafts/`` until ``/admin/documents/publish`` (or is dropped after a day); publishing
  checks it again (``library.Library``).
- ``/admin/curation``: the logged questions (thumbs-down first); for one, bind it to a verbatim span
  of an article (shown beside the form) or record that the documents do not answer it and whom to
  ask. The curated entries with their hit counts and those flagged for review; export and import as
  JSON lines.

Every change is written to the corpus directory (documents) or the curated answers file, and the
serving processes take it up within seconds (``assistant.live``). POSTs from another site are
refused (``Sec-Fetch-Site`` / ``Origin``), so a page elsewhere cannot make a signed-in admin's
browser change the corpus. Not handled: several admin accounts (one shared credential).
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.bank import ASKS
from assistant.curation import Curator, HitCounts
from assistant.errors import InputError
from assistant.library import Library
from assistant.web.auth import basic_credentials
from assistant.web.i18n import DOC_STATUS
from assistant.web.render import tree_html

ADMIN_PATH = "/admin"
UPLOAD_PATHS = (ADMIN_PATH + "/documents/preview", ADMIN_PATH + "/curation/import")
_STATUSES = ("in_force", "draft_for_comment", "reprint", "excerpt")
_ASKS_ZH = {"figure": "数值", "duration": "期限", "date": "日期", "body": "机构", "list": "列举", "yesno": "是否",
            "definition": "含义", "purpose": "目的", "procedure": "程序", "other": "其他"}
_DRAFT_TTL_S = 24 * 3600

_CSS = """
:root{--ink:#1f2a37;--muted:#4b5563;--line:#d5dbe5;--brand:#1a4b8c;--bad:#a4161a;--ok:#0f5132}
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;color:var(--ink);margin:0;background:#f6f8fb;line-height:1.6}
header{background:var(--brand);color:#fff;padding:12px 20px}
header a{color:#fff}
nav ul{list-style:none;display:flex;gap:16px;margin:6px 0 0;padding:0;flex-wrap:wrap}
main{max-width:1100px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:20px;margin:0}
h2{font-size:17px;margin:24px 0 8px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin-top:16px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef3fa}
label{display:block;font-weight:600;margin-top:10px}
.hint{font-weight:400;color:var(--muted);font-size:13px}
input[type=text],input[type=date],select,textarea{font:inherit;font-size:14px;padding:6px 8px;border:1px solid #8a94a6;border-radius:6px;width:100%;box-sizing:border-box;max-width:640px}
textarea{min-height:80px}
button,.button{font:inherit;font-size:14px;border:0;border-radius:6px;background:var(--brand);color:#fff;padding:7px 14px;cursor:pointer;margin-top:12px;text-decoration:none;display:inline-block}
button.danger{background:var(--bad)}
button.link{background:none;color:var(--brand);padding:0;margin:0;text-decoration:underline}
:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.msg{padding:8px 12px;border-radius:6px;margin-top:12px}
.msg.error{background:#fde8e8;color:var(--bad);border:1px solid #f5b5b5}
.msg.ok{background:#e6f4ea;color:var(--ok);border:1px solid #b7dfc4}
.msg.warn{background:#fdf8e6;color:#5c4a00;border:1px solid #f1e4b3}
.article{white-space:pre-wrap;background:#f9fafb;border:1px solid var(--line);border-radius:6px;padding:8px 12px;max-width:640px}
.flagged{color:var(--bad);font-weight:600}
.qsl-tree ul{margin:0;padding-left:18px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
"""


def _page(title: str, body: str, message: str = "", kind: str = "ok") -> HTMLResponse:
    note = f'<div class="msg {kind}" role="{"alert" if kind == "error" else "status"}">{html.escape(message)}</div>' \
        if message else ""
    return HTMLResponse(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>{html.escape(title)} · 知识库管理</title>'
        f'<style>{_CSS}</style></head><body><header><h1>知识库管理</h1><nav aria-label="管理页面"><ul>'
        f'<li><a href="{ADMIN_PATH}/">文件管理</a></li><li><a href="{ADMIN_PATH}/curation">答案校正</a></li>'
        f'<li><a href="/console/">咨询台工作台</a></li></ul></nav></header>'
        f'<main id="main"><h2 class="sr-only">{html.escape(title)}</h2>{note}{body}</main></body></html>',
        headers={"Cache-Control": "no-store"})


def _esc(x) -> str:
    return html.escape(str(x if x is not None else ""))


def who(request: Request, admin_user: str) -> str:
    creds = basic_credentials(request.headers.get("authorization", "").encode() or None)
    if creds:
        return creds[0].decode("utf-8", "replace")
    return f"{admin_user}@本机"


def same_site(request: Request) -> bool:
    """A form posted by these pages, not by another site (browsers say so in Sec-Fetch-Site,
    older ones in Origin)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlparse(origin).netloc == request.headers.get("host", "")


def _options(choices, selected=None) -> str:
    return "".join(f'<option value="{_esc(v)}"{" selected" if v == selected else ""}>{_esc(label)}</option>'
                   for v, label in choices)


def build_admin_router(service, settings) -> APIRouter:
    router = APIRouter(prefix=ADMIN_PATH, include_in_schema=False)
    library = Library(settings.corpus_dir)
    curator = Curator.from_settings(settings)
    hits = HitCounts.from_settings(settings)
    drafts_dir = Path(settings.web.data_dir) / "drafts"
    max_bytes = settings.knowledge.max_upload_bytes

    def check(request: Request) -> None:
        if not same_site(request):
            raise HTTPException(403, "Changes are only accepted from the administration pages. 仅接受本管理页面提交的修改。")

    def follow() -> None:
        follow_fn = getattr(service.assistant, "follow", None)
        if follow_fn is not None:
            follow_fn(wait=False)

    # -- documents ---------------------------------------------------------------------------
    def documents_page(message: str = "", kind: str = "ok") -> HTMLResponse:
        docs = library.documents()
        rows = []
        for d in docs:
            sup = "；".join(d.supersedes)
            by = next((x.id for x in docs if d.id in x.supersedes), "")
            status = DOC_STATUS.get(d.status, {"zh": d.status})["zh"]
            rows.append(
                f"<tr><td>{_esc(d.id)}</td><td>{_esc(d.short_title)}</td><td>{_esc(d.number or '—')}</td>"
                f"<td>{_esc(d.date)}</td><td>{_esc(status)}{('（由 ' + _esc(by) + ' 替代）') if by else ''}</td>"
                f'<td>{_esc(sup or "—")}</td><td><form method="post" action="{ADMIN_PATH}/documents/remove">'
                f'<input type="hidden" name="doc_id" value="{_esc(d.id)}">'
                f'<button class="danger" type="submit" aria-label="删除 {_esc(d.short_title)}（{_esc(d.id)}）">删除</button>'
                f"</form></td></tr>")
        supersede = _options([("", "（不替代任何文件）")] + [(d.id, f"{d.short_title} {d.id}") for d in docs
                                                         if d.status != "superseded"])
        status = _options([("", "按文件识别（默认现行有效）")] + [(s, DOC_STATUS[s]["zh"]) for s in _STATUSES])
        history = "".join(
            f"<tr><td>{_esc(h.get('time'))}</td><td>{_esc(h.get('by'))}</td><td>{_esc(h.get('action'))}</td>"
            f"<td>{_esc(h.get('doc_id') or h.get('entry_id') or '')}</td><td>{_esc(h.get('title') or h.get('question') or '')}</td></tr>"
            for h in library.history(100))
        body = f"""
<section aria-labelledby="docs-h"><h2 id="docs-h">库中文件</h2>
<table><caption class="sr-only">库中文件及其状态</caption><thead><tr><th scope="col">编号</th><th scope="col">文件</th>
<th scope="col">文号</th><th scope="col">日期</th><th scope="col">状态</th><th scope="col">替代</th><th scope="col">操作</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></section>
<section aria-labelledby="up-h"><h2 id="up-h">上传文件</h2>
<p class="hint">支持 .txt、.docx、.pdf、.html。标题、文号、发文机关、日期未填写时从文件抬头识别；上传后先预览结构，确认后再发布。</p>
<form method="post" action="{ADMIN_PATH}/documents/preview" enctype="multipart/form-data">
<label for="f-file">政策文件</label><input id="f-file" name="file" type="file" required accept=".txt,.docx,.pdf,.html,.htm">
<label for="f-title">标题 <span class="hint">（不含书名号）</span></label><input id="f-title" name="title" type="text">
<label for="f-number">文号</label><input id="f-number" name="number" type="text" placeholder="国市监质发〔2025〕8号">
<label for="f-issuer">发文机关 <span class="hint">（多个用顿号分隔）</span></label><input id="f-issuer" name="issuers" type="text">
<label for="f-date">发文日期</label><input id="f-date" name="date" type="date">
<label for="f-status">状态</label><select id="f-status" name="status">{status}</select>
<label for="f-supersedes">替代旧版</label><select id="f-supersedes" name="supersedes">{supersede}</select>
<label for="f-id">编号 <span class="hint">（小写字母、数字和连字符；不填自动生成）</span></label><input id="f-id" name="doc_id" type="text">
<label for="f-alias">简称 <span class="hint">（用户怎么称呼它，多个用顿号分隔）</span></label><input id="f-alias" name="aliases" type="text">
<label for="f-region">地区 <span class="hint">（地方文件填写，如 辽宁、辽宁省）</span></label><input id="f-region" name="region" type="text">
<button type="submit" id="f-preview">预览</button></form></section>
<section aria-labelledby="hist-h"><h2 id="hist-h">修改记录</h2>
<table><caption class="sr-only">谁在何时做了什么修改</caption><thead><tr><th scope="col">时间</th><th scope="col">操作人</th>
<th scope="col">操作</th><th scope="col">对象</th><th scope="col">说明</th></tr></thead><tbody id="history">{history}</tbody></table></section>"""
        return _page("文件管理", body, message, kind)

    @router.get("/", response_class=HTMLResponse)
    def home(msg: str = "", kind: str = "ok") -> HTMLResponse:
        return documents_page(msg, "error" if kind == "error" else "ok")

    @router.get("", response_class=HTMLResponse)
    def home_bare() -> RedirectResponse:
        return RedirectResponse(ADMIN_PATH + "/", status_code=303)

    def _facts(form: dict) -> dict:
        split = lambda v: [x for x in (v or "").replace("，", "、").replace(",", "、").split("、") if x.strip()]  # noqa: E731
        return {k: v for k, v in {
            "title": (form.get("title") or "").strip() or None,
            "number": (form.get("number") or "").strip() or None,
            "issuers": split(form.get("issuers")) or None,
            "date": (form.get("date") or "").strip() or None,
            "status": form.get("status") or None,
            "supersedes": form.get("supersedes") or None,
            "doc_id": (form.get("doc_id") or "").strip() or None,
            "aliases": split(form.get("aliases")) or None,
            "region": split(form.get("region")) or None,
        }.items() if v is not None}

    def _drop_old_drafts() -> None:
        if drafts_dir.is_dir():
            for d in drafts_dir.iterdir():
                if time.time() - d.stat().st_mtime > _DRAFT_TTL_S:
                    shutil.rmtree(d, ignore_errors=True)

    @router.post("/documents/preview", response_class=HTMLResponse)
    async def preview(request: Request, file: UploadFile = File(...), title: str = Form(""), number: str = Form(""),
                      issuers: str = Form(""), date: str = Form(""), status: str = Form(""),
                      supersedes: str = Form(""), doc_id: str = Form(""), aliases: str = Form(""),
                      region: str = Form("")) -> HTMLResponse:
        check(request)
        data = await file.read(max_bytes + 1)
        if len(data) > max_bytes:
            return documents_page(f"文件过大（最多 {max_bytes // 1024 // 1024} MB）。", "error")
        name = Path(file.filename or "upload").name
        facts = _facts(dict(title=title, number=number, issuers=issuers, date=date, status=status,
                            supersedes=supersedes, doc_id=doc_id, aliases=aliases, region=region))
        try:
            draft = library.draft(data, name, **facts)
        except InputError as e:
            return documents_page(str(e), "error")
        _drop_old_drafts()
        token = secrets.token_hex(16)
        d = drafts_dir / token
        d.mkdir(parents=True)
        (d / "file").write_bytes(data)
        (d / "facts.json").write_text(json.dumps({"filename": name, "facts": facts}, ensure_ascii=False),
                                      encoding="utf-8")
        m = draft.meta
        warn = "".join(f'<div class="msg warn" role="status">{_esc(w)}</div>' for w in draft.warnings)
        facts_rows = "".join(f"<tr><th scope='row'>{k}</th><td>{_esc(v)}</td></tr>" for k, v in [
            ("编号", m.id), ("标题", m.title), ("文号", m.number or "—"), ("发文机关", "、".join(m.issuers) or "—"),
            ("日期", m.date), ("状态", DOC_STATUS.get(m.status, {"zh": m.status})["zh"]), ("类别", m.kind),
            ("替代", "；".join(m.supersedes) or "—"), ("简称", "、".join(m.aliases) or "—")])
        body = f"""<section aria-labelledby="pv-h"><h2 id="pv-h">预览：{_esc(m.short_title)}</h2>{warn}
<table id="preview-facts"><caption class="sr-only">识别出的文件信息</caption>{facts_rows}</table>
<form method="post" action="{ADMIN_PATH}/documents/publish"><input type="hidden" name="token" value="{token}">
<button type="submit" id="f-publish">发布</button> <a class="button" href="{ADMIN_PATH}/">取消</a></form></section>
<section aria-labelledby="tree-h"><h2 id="tree-h">结构</h2><div id="preview-tree">{tree_html(draft.doc)}</div></section>"""
        return _page("预览", body)

    @router.post("/documents/publish")
    def publish(request: Request, token: str = Form(...)) -> Response:
        check(request)
        d = drafts_dir / token
        if not (len(token) == 32 and token.isalnum() and d.is_dir()):
            return documents_page("预览已过期，请重新上传。The preview expired; upload the file again.", "error")
        saved = json.loads((d / "facts.json").read_text(encoding="utf-8"))
        try:
            draft = library.draft((d / "file").read_bytes(), saved["filename"], **saved["facts"])
            meta = library.publish(draft, by=who(request, settings.web.admin_user))
        except InputError as e:
            return documents_page(str(e), "error")
        shutil.rmtree(d, ignore_errors=True)
        follow()
        what = f"已发布 {meta.short_title}（{meta.id}）" + (f"，替代 {meta.supersedes[0]}" if meta.supersedes else "")
        return RedirectResponse(f"{ADMIN_PATH}/?" + urlencode({"msg": what + "；数秒内生效。"}), status_code=303)

    @router.post("/documents/remove")
    def remove(request: Request, doc_id: str = Form(...)) -> Response:
        check(request)
        try:
            meta = library.remove(doc_id, by=who(request, settings.web.admin_user))
        except InputError as e:
            return documents_page(str(e), "error")
        follow()
        return RedirectResponse(f"{ADMIN_PATH}/?" + urlencode({"msg": f"已删除 {meta.short_title}（{meta.id}）；数秒内生效。"}),
                                status_code=303)

    # -- curation ----------------------------------------------------------------------------
    def curation_page(question: str = "", doc_id: str = "", locator: str = "", message: str = "",
                      kind: str = "ok") -> HTMLResponse:
        a = service.assistant
        logged = service.store.questions(limit=200)
        logged.sort(key=lambda q: (q.rating != -1, -(q.id or 0)))
        qrows = "".join(
            f"<tr><td>{_esc(q.time_text)}</td><td>{'差评' if q.rating == -1 else ('好评' if q.rating == 1 else '')}</td>"
            f"<td>{_esc(q.question)}</td><td>{_esc(q.answer[:80])}</td>"
            f'<td><a href="{ADMIN_PATH}/curation?{urlencode({"question": q.question})}#cur-form" '
            f'aria-label="校正：{_esc(q.question[:30])}">校正</a></td></tr>' for q in logged[:50])
        docs = a.documents()
        doc_id = doc_id or (docs[0].id if docs else "")
        article = ""
        if doc_id and locator:
            try:
                node = a.section(doc_id, locator)
            except InputError:
                node = None
            article = (f'<div class="article" id="cur-article" aria-label="条文原文">{_esc(node.text)}</div>' if node
                       else f'<div class="msg error" role="alert">未找到条文“{_esc(locator)}”。</div>')
        doc_opts = _options([(d.id, f"{d.short_title} {d.id}") for d in docs], doc_id)
        asks = _options([(x, _ASKS_ZH[x]) for x in ASKS], "other")
        counts = hits.counts()
        flagged = dict(curator.flagged())
        erows = "".join(
            f"<tr><td>{_esc(e.id)}</td><td>{_esc(e.questions[0].q)}</td><td>{_esc(e.doc_id)} {_esc(e.locator)}</td>"
            f"<td>{'答复' if e.answered else '未答复'}</td><td>{counts.get(e.id, 0)}</td>"
            f"<td>{('<span class=flagged>待复核：' + _esc(flagged[e.id]) + '</span>') if e.id in flagged else '使用中'}</td>"
            f'<td><form method="post" action="{ADMIN_PATH}/curation/remove"><input type="hidden" name="entry_id" '
            f'value="{_esc(e.id)}"><button class="danger" type="submit" aria-label="删除校正 {_esc(e.id)}">删除</button></form></td></tr>'
            for e in curator.entries())
        body = f"""
<section aria-labelledby="log-h"><h2 id="log-h">问答记录（差评在前）</h2>
<table><caption class="sr-only">最近的问答记录</caption><thead><tr><th scope="col">时间</th><th scope="col">评价</th>
<th scope="col">问题</th><th scope="col">回答（摘要）</th><th scope="col">操作</th></tr></thead><tbody>{qrows}</tbody></table></section>
<section aria-labelledby="cur-h" id="cur-form"><h2 id="cur-h">校正一个问题</h2>
<form method="get" action="{ADMIN_PATH}/curation#cur-form">
<label for="c-q1">问题</label><input id="c-q1" name="question" type="text" value="{_esc(question)}">
<label for="c-doc1">文件</label><select id="c-doc1" name="doc_id">{doc_opts}</select>
<label for="c-loc1">条款 <span class="hint">（如 第十二条、第十二条（三）、一、总体要求）</span></label>
<input id="c-loc1" name="locator" type="text" value="{_esc(locator)}">
<button type="submit" id="c-show">显示条文</button></form>{article}
<form method="post" action="{ADMIN_PATH}/curation/save">
<input type="hidden" name="question" value="{_esc(question)}"><input type="hidden" name="doc_id" value="{_esc(doc_id)}">
<input type="hidden" name="locator" value="{_esc(locator)}">
<label for="c-more">同义问法 <span class="hint">（每行一个，可不填）</span></label><textarea id="c-more" name="more"></textarea>
<fieldset><legend>文件有答复</legend>
<label for="c-span">原文 <span class="hint">（从上面的条文中原样复制回答问题的句子）</span></label><textarea id="c-span" name="span"></textarea>
<label for="c-answer">直接回答 <span class="hint">（原文中的关键词句，可不填）</span></label><input id="c-answer" name="answer" type="text">
<label for="c-asks">问的是</label><select id="c-asks" name="asks">{asks}</select>
<button type="submit" name="mode" value="answered" id="c-save">保存为答复</button></fieldset>
<fieldset><legend>文件未作规定</legend>
<label for="c-missing">缺少的是</label><select id="c-missing" name="missing">{asks}</select>
<label for="c-note">说明及咨询单位 <span class="hint">（文件说了什么、没说什么，该问谁）</span></label><textarea id="c-note" name="note"></textarea>
<button type="submit" name="mode" value="unanswered" id="c-save-missing">保存为“文件未规定”</button></fieldset>
</form></section>
<section aria-labelledby="ent-h"><h2 id="ent-h">已校正的问题</h2>
<p><a href="{ADMIN_PATH}/curation/export.jsonl" id="c-export">导出（JSON Lines）</a></p>
<form method="post" action="{ADMIN_PATH}/curation/import" enctype="multipart/form-data">
<label for="c-import">导入（JSON Lines）</label><input id="c-import" name="file" type="file" accept=".jsonl,.json,.txt" required>
<button type="submit">导入</button></form>
<table><caption class="sr-only">已校正的问题、命中次数与状态</caption><thead><tr><th scope="col">编号</th><th scope="col">问题</th>
<th scope="col">出处</th><th scope="col">类型</th><th scope="col">命中</th><th scope="col">状态</th><th scope="col">操作</th></tr></thead>
<tbody id="curated">{erows}</tbody></table></section>"""
        return _page("答案校正", body, message, kind)

    @router.get("/curation", response_class=HTMLResponse)
    def curation(question: str = "", doc_id: str = "", locator: str = "", msg: str = "", kind: str = "ok"):
        return curation_page(question[:300], doc_id, locator[:200], msg, "error" if kind == "error" else "ok")

    @router.post("/curation/save")
    def curation_save(request: Request, question: str = Form(""), doc_id: str = Form(""), locator: str = Form(""),
                      mode: str = Form("answered"), span: str = Form(""), answer: str = Form(""),
                      asks: str = Form("other"), missing: str = Form("other"), note: str = Form(""),
                      more: str = Form("")) -> Response:
        check(request)
        by = who(request, settings.web.admin_user)
        more_qs = [x.strip() for x in more.splitlines() if x.strip()]
        try:
            if not question.strip() or not locator.strip():
                raise InputError("请先填写问题并选择条款（显示条文）。Give the question and the article first.")
            if mode == "unanswered":
                entry = curator.unanswered(question, doc_id, locator, missing=missing, note=note,
                                           more_questions=more_qs, by=by)
            else:
                if not span.strip():
                    raise InputError("请从条文中复制回答问题的原文。Copy the answering words from the article.")
                entry = curator.answered(question, doc_id, locator, span, answer=answer or None, asks=asks,
                                         more_questions=more_qs, by=by)
        except InputError as e:
            return curation_page(question, doc_id, locator, str(e), "error")
        follow()
        return RedirectResponse(f"{ADMIN_PATH}/curation?" + urlencode({"msg": f"已保存 {entry.id}；数秒内生效。"}),
                                status_code=303)

    @router.post("/curation/remove")
    def curation_remove(request: Request, entry_id: str = Form(...)) -> Response:
        check(request)
        try:
            curator.remove(entry_id, by=who(request, settings.web.admin_user))
        except InputError as e:
            return curation_page(message=str(e), kind="error")
        follow()
        return RedirectResponse(f"{ADMIN_PATH}/curation?" + urlencode({"msg": f"已删除 {entry_id}。"}), status_code=303)

    @router.get("/curation/export.jsonl")
    def curation_export() -> Response:
        return Response(curator.export_text(), media_type="application/x-ndjson; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="curated.jsonl"', "Cache-Control": "no-store"})

    @router.post("/curation/import")
    async def curation_import(request: Request, file: UploadFile = File(...)) -> Response:
        check(request)
        data = await file.read(max_bytes + 1)
        try:
            if len(data) > max_bytes:
                raise InputError("文件过大。The file is too large.")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError("文件不是 UTF-8 编码的 JSON Lines。The file is not UTF-8 JSON lines.") from None
            ids = curator.import_lines(text, by=who(request, settings.web.admin_user))
        except InputError as e:
            return curation_page(message=str(e), kind="error")
        follow()
        return RedirectResponse(f"{ADMIN_PATH}/curation?" + urlencode({"msg": f"已导入 {len(ids)} 条。"}),
                                status_code=303)

    return router


def basic_header(user: str, password: str) -> str:
    """``Authorization`` value for HTTP Basic (tests and scripts)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


