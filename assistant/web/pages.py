"""The plain HTML pages of the app: the widget's chat page (/widget) and an article page (/article).

The widget page is deliberately light (no Gradio): it loads inside a host site's iframe, so it must
start fast and carry a strict Content-Security-Policy. The article page is what a citation link
opens where scripts do not run (or in a new tab); with scripts, ``qsl.js`` shows the same article
in an overlay.

Not handled: the chat UI and the console (Gradio, see ``ui`` and ``console``).
"""

from __future__ import annotations

import json
from html import escape as esc

from assistant.web.api import ArticleOut
from assistant.web.i18n import EXAMPLES, t

_WIDGET_CSS = """
html,body{margin:0;height:100%;background:#fff}
body{display:flex;flex-direction:column;font-family:var(--qsl-font);color:var(--qsl-ink)}
.notice{font-size:12px;color:#6b5a1e;background:#fdf8e6;border-bottom:1px solid #f1e4b3;padding:6px 12px;line-height:1.5}
#log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:12px;background:#f6f8fb}
.msg{display:flex;flex-direction:column}
.msg.user{align-items:flex-end}
.bubble{max-width:92%;padding:9px 12px;border-radius:10px;line-height:1.7;font-size:14.5px;word-break:break-word}
.user .bubble{background:#1a4b8c;color:#fff;border-bottom-right-radius:3px;white-space:pre-wrap}
.bot .bubble{background:#fff;border:1px solid var(--qsl-line);border-bottom-left-radius:3px}
.bot .qsl-answer{font-size:14.5px}
.typing{color:var(--qsl-muted)}
.qsl-streaming{white-space:pre-wrap}
.intro{background:#fff;border:1px solid var(--qsl-line);border-radius:10px;padding:10px 12px;font-size:14px;line-height:1.7}
.examples{display:flex;flex-direction:column;gap:6px;margin-top:8px}
button.example{font:inherit;font-size:13px;text-align:left;border:1px solid #c9d6ea;background:#eef3fa;color:#1a4b8c;
  border-radius:8px;padding:6px 10px;cursor:pointer}
button.example:hover{background:#e1eaf6}
.fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:4px;font-size:12.5px;color:var(--qsl-muted)}
.fb-btn{display:inline-flex;align-items:center;gap:4px;border:1px solid var(--qsl-line);background:#fff;color:var(--qsl-muted);border-radius:6px;cursor:pointer;padding:2px 8px;font:inherit;font-size:12.5px}
.fb-btn svg{width:14px;height:14px;fill:currentColor}
.fb-btn.chosen{background:#eef3fa;border-color:#1a4b8c}
.fb-btn:disabled{cursor:default}
.fb-comment{display:flex;flex-wrap:wrap;gap:6px;align-items:center;width:100%}
.fb-comment input{flex:1;min-width:140px;font:inherit;font-size:13px;padding:4px 8px;border:1px solid var(--qsl-line);border-radius:6px}
.fb-send{font:inherit;font-size:12.5px;border:0;background:#1a4b8c;color:#fff;border-radius:6px;padding:4px 10px;cursor:pointer}
form#ask{display:flex;gap:8px;padding:10px 12px;border-top:1px solid var(--qsl-line);background:#fff}
#q{flex:1;resize:none;font:inherit;font-size:14.5px;padding:8px 10px;border:1px solid #c3ccd9;border-radius:8px;height:42px;box-sizing:border-box}
#q:focus{outline:2px solid #1a4b8c;outline-offset:-1px}
#send{font:inherit;font-weight:600;border:0;border-radius:8px;background:#1a4b8c;color:#fff;padding:0 16px;cursor:pointer}
#send:disabled{opacity:.6;cursor:default}
"""


def widget_page(lang: str, max_chars: int) -> str:
    """The widget's chat page; ``max_chars``: the question length bound of the settings."""
    strings = {
        "thinking": t("thinking", lang),
        "error": t("error_generic", lang),
        "like": t("like", lang),
        "dislike": t("dislike", lang),
        "thanks": t("feedback_thanks", lang),
        "comment_ph": t("feedback_comment_ph", lang),
        "comment_send": t("feedback_submit", lang),
        "saved": t("feedback_saved", lang),
    }
    examples = "".join(f'<button type="button" class="example">{esc(q)}</button>' for q in EXAMPLES[lang][:3])
    # "</" cannot appear in the JSON island, so it cannot close the script element early.
    data = json.dumps(strings, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(t("app_title", lang))}</title>
<link rel="stylesheet" href="/static/qsl.css">
<style>{_WIDGET_CSS}</style>
</head>
<body>
<div class="notice" role="note">{esc(t("notice", lang))}</div>
<main id="log" aria-live="polite">
  <div class="intro">{esc(t("chat_empty", lang))}
    <div class="examples">{examples}</div>
  </div>
</main>
<form id="ask" autocomplete="off">
  <textarea id="q" rows="1" maxlength="{max_chars}" placeholder="{esc(t("placeholder_short", lang))}" aria-label="{esc(t("placeholder_short", lang))}"></textarea>
  <button id="send" type="submit">{esc(t("send", lang))}</button>
</form>
<script type="application/json" id="qsl-strings">{data}</script>
<script src="/static/qsl.js"></script>
<script src="/static/widget-chat.js"></script>
</body>
</html>"""


def article_page(a: ArticleOut) -> str:
    path = " › ".join(a.path) if a.path else a.article_locator
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a.doc_short_title)} {esc(a.article_locator)}</title>
<link rel="stylesheet" href="/static/qsl.css">
<style>body{{margin:0;background:#f6f8fb}} .qsl-modal{{margin:32px auto;max-height:none}}</style>
</head>
<body>
<article class="qsl-modal">
  <div class="qsl-modal-head"><h1 class="qsl-modal-title">{esc(a.doc_short_title)} {esc(a.article_locator)}</h1></div>
  <div class="qsl-modal-sub">{esc(" · ".join(x for x in (a.status_label, a.doc_number or "", a.doc_date, path) if x))}</div>
  <div class="qsl-modal-body">{a.html}</div>
</article>
<script>var m=document.getElementById("qsl-hl");if(m)m.scrollIntoView({{block:"center"}});</script>
</body>
</html>"""
