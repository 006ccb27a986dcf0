"""The applicant UI (Gradio Blocks, mounted at /ui): the chat and the eligibility form.

Chat: streamed answers through ``WebService.ask_stream``; each finished message is the fragment of
``render.answer_html`` (text, eligibility table, citation cards, copy action); thumbs up/down via
the Chatbot's ``.like`` event, with an optional comment; example questions in the empty chat; a
notice that answers are guidance only. Chinese by default, an English switch relabels everything.

Form: the figures of 第十二条 with their units, checked (``forms.figure_errors``) before the same
report as in the chat is shown.

The chatbot holds rendered HTML; the plain-text history the assistant needs for follow-ups is
kept beside it in a ``gr.State``, as is the map from message index to question-log id.
Not handled here: answering, rendering, storage — this file only wires components to them.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.errors import InputError, ServiceUnavailable
from assistant.web.forms import FIGURES, YEARS, read_form
from assistant.web.i18n import EXAMPLES, t
from assistant.web.render import answer_html, eligibility_html, streaming_html
from assistant.web.ratelimit import RateLimited
from assistant.web.service import Answered, WebService

log = logging.getLogger(__name__)

THINKING_CLASS = "qsl-thinking"


def gradio_theme() -> gr.themes.Base:
    # Local fonts only: the app must not fetch web fonts (offline deployments, and no third-party
    # requests from a government page). Noto Sans CJK is what Debian ships for Chinese.
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
        font=["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(button_primary_background_fill="#1a4b8c", button_primary_background_fill_hover="#153d72",
          # Links in the product's blue (8.9:1 on white): the theme's blue-600/500 pass WCAG AA
          # by a thin margin (5.2:1) or not at all (3.7:1 when visited).
          link_text_color="#1a4b8c", link_text_color_hover="#153d72", link_text_color_active="#153d72",
          link_text_color_visited="#153d72")


def gradio_head() -> str:
    return (
        '<link rel="stylesheet" href="/static/qsl.css">'
        '<link rel="stylesheet" href="/static/ui.css">'
        '<script src="/static/qsl.js" defer></script>'
    )


def header_html(lang: str) -> str:
    return (
        '<div class="qsl-header"><div class="qsl-emblem" aria-hidden="true">质</div><div>'
        f'<div class="qsl-title">{html.escape(t("app_title", lang))}</div>'
        f'<div class="qsl-subtitle">{html.escape(t("app_subtitle", lang))}</div></div></div>'
    )


def notice_html(lang: str) -> str:
    return f'<div class="qsl-notice" role="note">{html.escape(t("notice", lang))}</div>'


def placeholder_html(lang: str) -> str:
    return f'<div class="qsl-welcome">{html.escape(t("chat_empty", lang))}</div>'


def examples(lang: str) -> list[dict[str, str]]:
    return [{"text": q} for q in EXAMPLES[lang]]


def message_html(kind: str, text: str) -> str:
    return f'<div class="qsl-message qsl-message-{kind}">{html.escape(text)}</div>'


def client_of(request: gr.Request | None) -> str | None:
    """The visitor's address (as ``middleware.ClientAddress`` decided it), for the rate limits."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None)


def build_ui(service: WebService) -> gr.Blocks:
    max_chars = service.max_question_chars
    with gr.Blocks(title=t("app_title", "zh"), analytics_enabled=False, fill_width=False) as demo:
        lang = gr.State("zh")
        history = gr.State([])  # plain-text turns for the assistant
        qids = gr.State({})  # chatbot message index -> question-log id
        feedback_id = gr.State(None)

        with gr.Row(elem_classes="qsl-top"):
            header = gr.HTML(header_html("zh"), elem_classes="qsl-header-wrap", scale=1, min_width=300)
            lang_switch = gr.Radio(
                [("中文", "zh"), ("English", "en")], value="zh", show_label=False, container=False,
                elem_id="qsl-lang", scale=0, min_width=170,
            )
        notice = gr.HTML(notice_html("zh"))

        with gr.Tabs():
            with gr.Tab(t("tab_chat", "zh"), id="chat") as tab_chat:
                chatbot = gr.Chatbot(
                    elem_id="qsl-chat",
                    show_label=False,
                    height=580,
                    placeholder=placeholder_html("zh"),
                    examples=examples("zh"),
                    feedback_options=("Like", "Dislike"),
                    latex_delimiters=[],  # 元 amounts and $ signs are not formulas
                    group_consecutive_messages=False,
                    layout="bubble",
                    buttons=[],  # our own copy action carries the sources; Gradio's would copy raw HTML
                )
                with gr.Row(visible=False, elem_classes="qsl-feedback") as feedback_row:
                    comment = gr.Textbox(label=t("feedback_thanks", "zh"), placeholder=t("feedback_comment_ph", "zh"),
                                         max_length=2000, scale=5)
                    comment_btn = gr.Button(t("feedback_submit", "zh"), scale=1, size="sm")
                with gr.Row(elem_classes="qsl-input"):
                    box = gr.Textbox(show_label=False, placeholder=t("placeholder", "zh"), lines=1, max_lines=6,
                                     max_length=max_chars, scale=8, container=False, elem_id="qsl-q", autofocus=True)
                    send = gr.Button(t("send", "zh"), variant="primary", scale=1, min_width=90, elem_id="qsl-send")
                    clear = gr.Button(t("clear", "zh"), scale=1, min_width=90, elem_id="qsl-clear")

            with gr.Tab(t("tab_form", "zh"), id="form") as tab_form:
                form_intro = gr.HTML(f'<p class="qsl-form-intro">{html.escape(t("elig_intro", "zh"))}</p>')
                # Text boxes, not gr.Number: a number field cannot be left empty (it shows and sends 0),
                # and an empty figure must stay "not provided", never become a failing 0.
                numbers = {}
                with gr.Row():
                    for column in (FIGURES[:4], (*FIGURES[4:], YEARS)):
                        with gr.Column():
                            for f in column:
                                numbers[f.key] = gr.Textbox(label=t(f.label_key, "zh"), max_length=20, max_lines=1,
                                                            elem_id=f"qsl-f-{f.key}")
                with gr.Row():
                    affiliation = gr.Radio(_affiliation_choices("zh"), value=None, label=t("f_affiliation", "zh"),
                                           elem_id="qsl-f-affiliation")
                    level = gr.Radio(_level_choices("zh"), value=None, label=t("f_level", "zh"), elem_id="qsl-f-level")
                with gr.Row():
                    check_btn = gr.Button(t("elig_submit", "zh"), variant="primary", elem_id="qsl-check")
                    reset_btn = gr.Button(t("elig_reset", "zh"))
                report = gr.HTML("", elem_id="qsl-report")

        # ---- chat ------------------------------------------------------------------------------
        def respond(message: str, chat: list, hist: list, ids: dict, lg: str, request: gr.Request):
            message = (message or "").strip()
            if not message:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            try:
                service.admit("ask", client_of(request))
            except (RateLimited, ServiceUnavailable) as e:
                chat = [*chat, {"role": "user", "content": html.escape(message)},
                        {"role": "assistant", "content": message_html("error", str(e))}]
                yield chat, gr.skip(), hist, ids, gr.skip()
                return
            chat = [*chat, {"role": "user", "content": html.escape(message)},
                    {"role": "assistant", "content": f'<div class="{THINKING_CLASS}">{html.escape(t("thinking", lg))}</div>'}]
            yield chat, "", hist, ids, gr.Row(visible=False)
            text = ""
            try:
                for item in service.ask_stream(message, hist, channel="ui"):
                    if isinstance(item, Answered):
                        chat[-1] = {"role": "assistant", "content": answer_html(item.answer)}
                        ids = {**ids, len(chat) - 1: item.question_id}
                        hist = [*hist, {"role": "user", "content": message}, item.answer.history_entry()]
                    else:
                        text += item
                        chat[-1] = {"role": "assistant", "content": streaming_html(text)}
                    yield chat, gr.skip(), hist, ids, gr.skip()
            except (InputError, ServiceUnavailable) as e:
                chat[-1] = {"role": "assistant", "content": message_html("error", str(e))}
                yield chat, gr.skip(), hist, ids, gr.skip()
            except Exception:
                log.exception("chat answer failed")
                chat[-1] = {"role": "assistant", "content": message_html("error", t("error_generic", lg))}
                yield chat, gr.skip(), hist, ids, gr.skip()

        chat_io = dict(inputs=[box, chatbot, history, qids, lang], outputs=[chatbot, box, history, qids, feedback_row])
        box.submit(respond, **chat_io, api_visibility="private", concurrency_limit=8)
        send.click(respond, **chat_io, api_visibility="private", concurrency_limit=8)

        def pick_example(evt: gr.SelectData) -> str:
            v = evt.value
            return v.get("text", "") if isinstance(v, dict) else str(v)

        chatbot.example_select(pick_example, None, box, api_visibility="private").then(
            respond, **chat_io, api_visibility="private", concurrency_limit=8
        )

        def new_chat():
            return [], [], {}, gr.Row(visible=False), None

        clear.click(new_chat, None, [chatbot, history, qids, feedback_row, feedback_id], api_visibility="private")
        chatbot.clear(new_chat, None, [chatbot, history, qids, feedback_row, feedback_id], api_visibility="private")

        # ---- feedback --------------------------------------------------------------------------
        def on_like(evt: gr.LikeData, ids: dict, request: gr.Request):
            qid = ids.get(evt.index if isinstance(evt.index, int) else evt.index[0])
            if qid is None or evt.liked not in (True, False):  # un-voting, or a message that is not an answer
                return None, gr.Row(visible=False), ""
            try:
                service.admit("feedback", client_of(request))
                fid = service.store.add_feedback(qid, 1 if evt.liked else -1)
            except (RateLimited, ServiceUnavailable) as e:
                gr.Warning(str(e))
                return None, gr.Row(visible=False), ""
            return fid, gr.Row(visible=True), ""

        chatbot.like(on_like, [qids], [feedback_id, feedback_row, comment], api_visibility="private")

        def save_comment(text: str, fid: int | None, lg: str, request: gr.Request):
            if fid is not None and (text or "").strip():
                try:
                    service.admit("feedback", client_of(request))
                    service.store.set_comment(fid, text)
                except (RateLimited, ServiceUnavailable, LookupError) as e:
                    gr.Warning(str(e))
                    return gr.Row(visible=False), ""
                gr.Info(t("feedback_saved", lg))
            return gr.Row(visible=False), ""

        comment_btn.click(save_comment, [comment, feedback_id, lang], [feedback_row, comment], api_visibility="private")
        comment.submit(save_comment, [comment, feedback_id, lang], [feedback_row, comment], api_visibility="private")

        # ---- eligibility form ------------------------------------------------------------------
        keys = [f.key for f in FIGURES] + [YEARS.key]

        def check(lg: str, aff: str | None, lvl: str | None, *raw: str | None) -> str:
            values, errors = read_form(dict(zip(keys, raw)), lg)
            if errors:
                return message_html("error", " ".join(errors))
            if all(v is None for v in values.values()) and not aff:
                return message_html("error", t("err_empty_form", lg))
            from assistant.eligibility import LabProfile

            data: dict[str, Any] = {k: (int(v) if k in _INT_KEYS else v) for k, v in values.items() if v is not None}
            if aff in ("central", "local"):
                data["affiliation"] = aff
            if lvl:
                data["level"] = lvl
            try:
                profile = LabProfile.model_validate(data)
            except ValidationError as e:
                return message_html("error", "; ".join(err["msg"] for err in e.errors()))
            # No rate limit here: a profile's evaluation is pure arithmetic, cheaper than the page.
            return eligibility_html(service.check_eligibility(profile, lg), lg)

        number_inputs = [numbers[k] for k in keys]
        check_btn.click(check, [lang, affiliation, level, *number_inputs], report, api_visibility="private")
        reset_btn.click(lambda: [""] * len(keys) + [None, None, ""], None, [*number_inputs, affiliation, level, report],
                        api_visibility="private")

        # ---- language switch -------------------------------------------------------------------
        def switch(lg: str):
            updates: list[Any] = [
                lg,
                header_html(lg),
                notice_html(lg),
                gr.Tab(label=t("tab_chat", lg)),
                gr.Tab(label=t("tab_form", lg)),
                gr.Chatbot(placeholder=placeholder_html(lg), examples=examples(lg)),
                gr.Textbox(placeholder=t("placeholder", lg)),
                gr.Button(value=t("send", lg)),
                gr.Button(value=t("clear", lg)),
                gr.Textbox(label=t("feedback_thanks", lg), placeholder=t("feedback_comment_ph", lg)),
                gr.Button(value=t("feedback_submit", lg)),
                f'<p class="qsl-form-intro">{html.escape(t("elig_intro", lg))}</p>',
                gr.Radio(choices=_affiliation_choices(lg), label=t("f_affiliation", lg)),
                gr.Radio(choices=_level_choices(lg), label=t("f_level", lg)),
                gr.Button(value=t("elig_submit", lg)),
                gr.Button(value=t("elig_reset", lg)),
            ]
            updates += [gr.Textbox(label=t(f.label_key, lg)) for f in (*FIGURES, YEARS)]
            return updates

        lang_switch.change(
            switch,
            lang_switch,
            [lang, header, notice, tab_chat, tab_form, chatbot, box, send, clear, comment, comment_btn, form_intro,
             affiliation, level, check_btn, reset_btn, *number_inputs],
            api_visibility="private",
        )
    return demo


_INT_KEYS = {f.key for f in FIGURES if f.integer}


def _affiliation_choices(lang: str) -> list[tuple[str, str]]:
    return [(t("aff_central", lang), "central"), (t("aff_local", lang), "local")]


def _level_choices(lang: str) -> list[tuple[str, str]]:
    return [(t("level_none", lang), "none"), (t("level_provincial", lang), "provincial"),
            (t("level_ministerial", lang), "ministerial")]
