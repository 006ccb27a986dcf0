/* The light chat page shown inside the widget's iframe (/widget).
 *
 * Sends the question with the conversation so far to /api/v1/ask/stream, shows the streamed words,
 * then the rendered answer (text, eligibility table, citation cards) from the server; thumbs
 * up/down with an optional comment go to /api/v1/feedback. Citation cards and the copy button are
 * handled by qsl.js. Strings come from the page (data attributes), so this file has no language.
 */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("qsl-strings").textContent);
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("q");
  var send = document.getElementById("send");
  var history = [];
  var THUMB = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>';
  var busy = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }

  function addUser(text) {
    var m = el("div", "msg user");
    m.appendChild(el("div", "bubble", text));
    log.appendChild(m);
    scroll();
  }

  function feedbackBar(qid) {
    var bar = el("div", "fb");
    // Icons as SVG, not emoji: many desktop systems (and servers) have no colour-emoji font.
    var up = el("button", "fb-btn"), down = el("button", "fb-btn");
    up.type = down.type = "button";
    up.innerHTML = THUMB; down.innerHTML = THUMB;
    down.firstChild.style.transform = "rotate(180deg)";
    up.appendChild(el("span", null, S.like)); down.appendChild(el("span", null, S.dislike));
    bar.appendChild(up); bar.appendChild(down);
    function rate(rating, btn) {
      up.disabled = down.disabled = true;
      btn.classList.add("chosen");
      post("/api/v1/feedback", { question_id: qid, rating: rating }).then(function () {
        var box = el("form", "fb-comment");
        var t = el("input");
        t.type = "text"; t.placeholder = S.comment_ph; t.maxLength = 2000;
        var ok = el("button", "fb-send", S.comment_send);
        ok.type = "submit";
        box.appendChild(el("span", "fb-thanks", S.thanks));
        box.appendChild(t); box.appendChild(ok);
        box.addEventListener("submit", function (ev) {
          ev.preventDefault();
          if (!t.value.trim()) { box.remove(); return; }
          post("/api/v1/feedback", { question_id: qid, rating: rating, comment: t.value })
            .then(function () { box.replaceWith(el("span", "fb-thanks", S.saved)); });
        });
        bar.appendChild(box);
        scroll();
      });
    }
    up.addEventListener("click", function () { rate("up", up); });
    down.addEventListener("click", function () { rate("down", down); });
    return bar;
  }

  function post(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  function ask(question) {
    if (busy || !question.trim()) return;
    busy = true; send.disabled = true;
    addUser(question);
    var m = el("div", "msg bot");
    var bubble = el("div", "bubble");
    var live = el("div", "qsl-answer qsl-streaming");
    live.appendChild(el("span", "typing", S.thinking));
    bubble.appendChild(live);
    m.appendChild(bubble);
    log.appendChild(m);
    scroll();
    var text = "";

    function fail(message) {
      bubble.innerHTML = "";
      bubble.appendChild(el("div", "qsl-message qsl-message-error", message || S.error));
    }

    fetch("/api/v1/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: history, channel: "widget" })
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (j) { fail(j.error && j.error.message); });
      var reader = r.body.getReader(), dec = new TextDecoder(), buf = "";
      function handle(line) {
        if (!line.trim()) return;
        var ev = JSON.parse(line);
        if (ev.type === "delta") {
          text += ev.text;
          live.textContent = text;
          scroll();
        } else if (ev.type === "answer") {
          bubble.innerHTML = ev.html; // rendered and escaped by the server (render.py)
          m.appendChild(feedbackBar(ev.question_id));
          history.push({ role: "user", content: question });
          // what the answer cited goes back with the next question, for follow-ups ("第二项呢")
          history.push({
            role: "assistant",
            content: ev.answer.text,
            question: ev.answer.standalone_question,
            citations: (ev.answer.citations || []).map(function (c) {
              return { doc_id: c.doc_id, locator: c.locator, quote: c.quote };
            })
          });
          scroll();
        } else if (ev.type === "error") {
          fail(ev.message);
        }
      }
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) { if (buf) handle(buf); return; }
          buf += dec.decode(res.value, { stream: true });
          var lines = buf.split("\n");
          buf = lines.pop();
          lines.forEach(handle);
          return pump();
        });
      }
      return pump();
    }).catch(function () { fail(S.error); })
      .then(function () { busy = false; send.disabled = false; input.focus(); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value;
    input.value = "";
    ask(q);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll("button.example").forEach(function (b) {
    b.addEventListener("click", function () { ask(b.textContent); });
  });
})();
