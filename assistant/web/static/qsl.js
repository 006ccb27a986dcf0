/* Behaviour of rendered answers, shared by the chat UI, the widget page and the console.
 *
 * - A click on a citation card, a clause link or a tree entry (links to /article?doc=…&locator=…)
 *   opens the article in an overlay, with the quoted words highlighted, instead of a new tab.
 * - A click on "copy" puts the answer and its sources on the clipboard.
 * Delegated listeners on the document, because the chat re-renders its messages as they stream.
 */
(function () {
  "use strict";
  if (window.__qslBound) return;
  window.__qslBound = true;

  var overlay = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function closeOverlay() {
    if (overlay) { overlay.remove(); overlay = null; document.removeEventListener("keydown", onKey); }
  }
  function onKey(ev) { if (ev.key === "Escape") closeOverlay(); }

  function openArticle(href) {
    var url = new URL(href, window.location.href);
    var doc = url.searchParams.get("doc"), locator = url.searchParams.get("locator");
    if (!doc || !locator) return false;
    var api = new URL("/api/v1/documents/" + encodeURIComponent(doc) + "/article", window.location.href);
    api.searchParams.set("locator", locator);
    if (url.searchParams.get("quote")) api.searchParams.set("quote", url.searchParams.get("quote"));

    closeOverlay();
    overlay = el("div", "qsl-overlay");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    var box = el("div", "qsl-modal");
    var head = el("div", "qsl-modal-head");
    var title = el("div", "qsl-modal-title", "…");
    var close = el("button", "qsl-modal-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "关闭 Close");
    close.addEventListener("click", closeOverlay);
    head.appendChild(title); head.appendChild(close);
    var sub = el("div", "qsl-modal-sub", "");
    var body = el("div", "qsl-modal-body", "");
    box.appendChild(head); box.appendChild(sub); box.appendChild(body);
    overlay.appendChild(box);
    overlay.addEventListener("click", function (ev) { if (ev.target === overlay) closeOverlay(); });
    document.body.appendChild(overlay);
    document.addEventListener("keydown", onKey);
    close.focus();

    fetch(api.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) { body.textContent = (res.j.error && res.j.error.message) || "无法打开条文"; return; }
        var a = res.j;
        title.textContent = a.doc_short_title + " " + a.article_locator;
        sub.textContent = [a.status_label, a.doc_number, a.doc_date].filter(Boolean).join(" · ");
        body.innerHTML = a.html; // rendered and escaped by the server (render.py)
        var hl = body.querySelector("mark");
        if (hl) hl.scrollIntoView({ block: "center" });
      })
      .catch(function () { body.textContent = "网络错误，无法打开条文 / Network error"; });
    return true;
  }

  // The answer as plain text with its sources, rebuilt from the rendered fragment (the cards'
  // links carry document, locator and the full quote).
  function answerText(answer) {
    var parts = [];
    var body = answer.querySelector(".qsl-text");
    if (body) parts.push(body.innerText.trim());
    var elig = answer.querySelector(".qsl-elig");
    if (elig) parts.push(elig.innerText.trim());
    var cards = answer.querySelectorAll(".qsl-sources a.qsl-cite");
    if (cards.length) {
      var title = answer.querySelector(".qsl-sources-title");
      var lines = [(title ? title.textContent : "Sources") + ":"];
      cards.forEach(function (a, i) {
        var u = new URL(a.getAttribute("href"), window.location.href);
        var doc = a.querySelector(".qsl-cite-doc");
        lines.push("[" + (i + 1) + "] " + (doc ? doc.textContent : "") + (u.searchParams.get("locator") || "") +
          "：“" + (u.searchParams.get("quote") || "") + "”");
      });
      parts.push(lines.join("\n"));
    }
    return parts.join("\n\n");
  }

  function copy(text, btn) {
    function done() {
      btn.classList.add("qsl-copied");
      setTimeout(function () { btn.classList.remove("qsl-copied"); }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  }
  function fallback(text) {
    // Clipboard API needs a secure context; plain-HTTP deployments still get a working copy.
    var ta = el("textarea");
    ta.value = text;
    ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    ta.remove();
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var link = t.closest("a.qsl-cite, a.qsl-clause, a.qsl-tree-link");
    if (link && !(ev.ctrlKey || ev.metaKey || ev.shiftKey)) {
      if (openArticle(link.getAttribute("href"))) { ev.preventDefault(); ev.stopPropagation(); }
      return;
    }
    var btn = t.closest("button.qsl-copy");
    if (btn) {
      ev.preventDefault();
      var answer = btn.closest(".qsl-answer");
      if (answer) copy(answerText(answer), btn);
    }
  }, true);

  // Gradio labels each chat message with its raw value, which for answers is our HTML; screen
  // readers should hear the words instead.
  function fixLabels(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[aria-label*='<div class=\"qsl-']").forEach(function (m) {
      var words = m.innerText.replace(/\s+/g, " ").trim();
      m.setAttribute("aria-label", words.length > 300 ? words.slice(0, 300) + "…" : words);
    });
  }
  if (window.MutationObserver) {
    new MutationObserver(function () { fixLabels(document); })
      .observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
  }

  window.qslOpenArticle = openArticle;
})();
