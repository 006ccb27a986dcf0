"""A loopback HTTP server that speaks the OpenAI chat-completions protocol, scripted per test.

It stands in for a remote LLM at the process boundary: the code under test talks to it through
the real ``langchain_openai.ChatOpenAI`` client over real HTTP.

- ``POST /v1/chat/completions`` answers with a JSON ``chat.completion``, or, when the request has
  ``"stream": true``, with server-sent events (``data: {chat.completion.chunk}`` lines, then
  ``data: [DONE]``).
- ``FakeLLM.reply`` sets what the next requests get: the text, a delay before answering (to go past
  the client's timeout), or an HTTP error status. ``FakeLLM.requests`` records the request bodies.
- ``FakeLLM.reply_tool_call(name, arguments)`` makes the next reply a tool call
  (``message.tool_calls``, ``finish_reason: "tool_calls"``); ``arguments`` is a dict (sent as JSON)
  or a raw string (to send malformed JSON). Non-streaming requests only.
- ``closed_port()`` gives a port on 127.0.0.1 where nothing listens (a dead server).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    delay_s: float = 0.0
    status: int = 200
    chunk_chars: int = 8
    tool_calls: list[dict] | None = None  # OpenAI format: [{"id", "type": "function", "function": {...}}]


@dataclass
class FakeLLM:
    host: str = "127.0.0.1"
    port: int = 0
    replies: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(text="（未设置回复）"))
    requests: list[dict] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def reply(self, text: str = "", delay_s: float = 0.0, status: int = 200, times: int = 1) -> None:
        """Queue the reply for the next ``times`` requests (the last one queued also becomes the default)."""
        r = Reply(text=text, delay_s=delay_s, status=status)
        self.replies.extend([r] * times)
        self.default = r

    def reply_tool_call(self, name: str, arguments: dict | str, times: int = 1) -> None:
        """Queue a tool-call reply (``arguments``: a dict, or a raw string sent as is)."""
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        call = {"id": "call_fake_1", "type": "function", "function": {"name": name, "arguments": raw}}
        r = Reply(tool_calls=[call])
        self.replies.extend([r] * times)
        self.default = r

    def _next(self) -> Reply:
        return self.replies.pop(0) if self.replies else self.default

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                r = fake._next()
                if r.delay_s:
                    time.sleep(r.delay_s)
                if r.status != 200:
                    self._json(r.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                model = body.get("model", "fake")
                if body.get("stream"):
                    self._stream(model, r)
                else:
                    message = {"role": "assistant", "content": r.text}
                    finish = "stop"
                    if r.tool_calls:
                        message = {"role": "assistant", "content": None, "tool_calls": r.tool_calls}
                        finish = "tool_calls"
                    self._json(200, {
                        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, model: str, r: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()

                def event(delta: dict, finish: str | None = None) -> None:
                    chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for i in range(0, len(r.text), r.chunk_chars):
                    event({"content": r.text[i:i + r.chunk_chars]})
                event({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
