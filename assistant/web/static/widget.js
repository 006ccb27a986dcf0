/* Embeddable chat widget for a host website.
 *
 *   <script src="https://ASSISTANT-HOST/widget.js" data-lang="zh" async></script>
 *
 * Options (all optional): data-lang="zh|en", data-position="right|left", data-label="button text",
 * data-open="true" (open on load). The script adds a floating button; clicking it opens a panel
 * holding an iframe of ASSISTANT-HOST/widget (a light chat page of the assistant). The embed code
 * carries no secret: which sites may embed is decided by the assistant (CORS and frame-ancestors).
 * On a site that is not allowed, the configuration request is refused and no button is shown.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__qslWidget) return;
  window.__qslWidget = true;

  var base = new URL(script.src, window.location.href).origin;
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "zh";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var labelText = script.getAttribute("data-label") || (lang === "en" ? "Ask about applying" : "申报政策咨询");
  var startOpen = script.getAttribute("data-open") === "true";

  function start(config) {
    var host = document.createElement("div");
    host.id = "qsl-widget";
    host.style.all = "initial";
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var css = [
      ":host{all:initial}",
      ".btn{position:fixed;bottom:24px;" + side + ":24px;z-index:2147483000;display:flex;align-items:center;gap:8px;",
      "padding:12px 18px;border:0;border-radius:999px;background:#1a4b8c;color:#fff;cursor:pointer;",
      "font:600 15px/1.2 'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',system-ui,sans-serif;",
      "box-shadow:0 6px 20px rgba(26,75,140,.35)}",
      ".btn:hover{background:#153d72}.btn:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}",
      ".btn svg{width:20px;height:20px;fill:currentColor}",
      ".panel{position:fixed;bottom:88px;" + side + ":24px;z-index:2147483001;width:400px;height:620px;",
      "max-width:calc(100vw - 32px);max-height:calc(100vh - 112px);background:#fff;border-radius:12px;overflow:hidden;",
      "box-shadow:0 12px 40px rgba(0,0,0,.25);display:none;flex-direction:column}",
      ".panel.open{display:flex}",
      ".bar{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1a4b8c;color:#fff;",
      "font:600 15px/1.3 'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',system-ui,sans-serif}",
      ".x{border:0;background:transparent;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:0 4px}",
      "iframe{flex:1;width:100%;border:0;background:#fff}",
      "@media (max-width:520px){.panel{" + side + ":0;bottom:0;width:100vw;height:100vh;max-width:100vw;max-height:100vh;border-radius:0}}"
    ].join("");
    var style = document.createElement("style");
    style.textContent = css;

    var btn = document.createElement("button");
    btn.className = "btn";
    btn.type = "button";
    btn.setAttribute("aria-haspopup", "dialog");
    btn.setAttribute("aria-expanded", "false");
    btn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z"/></svg>';
    var span = document.createElement("span");
    span.textContent = labelText;
    btn.appendChild(span);

    var panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", config.title);
    var bar = document.createElement("div");
    bar.className = "bar";
    var title = document.createElement("span");
    title.textContent = config.title;
    var x = document.createElement("button");
    x.className = "x";
    x.type = "button";
    x.setAttribute("aria-label", lang === "en" ? "Close" : "关闭");
    x.textContent = "×";
    bar.appendChild(title);
    bar.appendChild(x);
    panel.appendChild(bar);

    var frame = null;
    function open() {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.title = config.title;
        frame.src = base + config.chat_path + "?lang=" + lang;
        frame.setAttribute("allow", "clipboard-write");
        panel.appendChild(frame);
      }
      panel.classList.add("open");
      btn.setAttribute("aria-expanded", "true");
    }
    function close() {
      panel.classList.remove("open");
      btn.setAttribute("aria-expanded", "false");
      btn.focus();
    }
    btn.addEventListener("click", function () { panel.classList.contains("open") ? close() : open(); });
    x.addEventListener("click", close);
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && panel.classList.contains("open")) close(); });

    root.appendChild(style);
    root.appendChild(panel);
    root.appendChild(btn);
    document.body.appendChild(host);
    if (startOpen) open();
  }

  fetch(base + "/api/v1/widget/config?lang=" + lang, { mode: "cors", credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (config) {
      if (document.body) start(config);
      else document.addEventListener("DOMContentLoaded", function () { start(config); });
    })
    .catch(function () {
      if (window.console) console.warn("[qsl-widget] " + window.location.origin + " is not allowed to embed the assistant at " + base + ".");
    });
})();
