"""Bank questions generated through a chat model (``index --generate-questions``): the real
langchain-openai client against the loopback chat-completions server (tests/fake_llm.py), over the
real documents. A question is kept only with a verbatim span; malformed replies, invented spans,
questions already in the bank or copied from an evaluation set, and a failing model cost nothing
else; what is written loads as bank entries like the hand-written ones."""

from __future__ import annotations

import json

import pytest
from fake_llm import FakeLLM

from assistant.answering.openai_backend import OpenAIGenerator
from assistant.answering.prompts import Prompts
from assistant.bank import QuestionBank
from assistant.corpus.sources import Sources
from assistant.generation import GENERATED_FILE, QuestionGenerator, eval_questions, leaves, parse_reply
from assistant.settings import ROOT, AnswerSettings


@pytest.fixture
def llm():
    server = FakeLLM().start()
    yield server
    server.stop()


def _client(base_url: str):
    settings = AnswerSettings(backend="openai", base_url=base_url, model="fake-model", api_key="k", timeout_s=5)
    return OpenAIGenerator(settings, Prompts(ROOT / "prompts")).llm


def _line(q: str, span: str, asks="other", style="plain") -> str:
    return json.dumps({"question": q, "span": span, "asks": asks, "style": style}, ensure_ascii=False)


def test_replies_are_read_in_any_json_shape():
    assert len(parse_reply('{"question": "a", "span": "b"}\n{"question": "c", "span": "d"}')) == 2
    assert len(parse_reply('[{"question": "a", "span": "b"}]')) == 1
    assert len(parse_reply('好的，以下是问题：{"question": "a", "span": "b"} 以上。')) == 1
    assert parse_reply("not json at all") == []


def test_only_verbatim_spans_are_kept_and_written_as_bank_entries(llm, docs_by_id, bank, tmp_path):
    doc = docs_by_id["nqsl-measures-2023"]
    nodes = [n for n in leaves([doc]) if len(n.text) > 40][:3]
    a, b, c = nodes
    evals = eval_questions(ROOT / "eval")
    existing = next(q.q for _, q in bank.questions())
    llm.reply("\n".join([
        _line("这一条写的第一件事是什么？", a.text[:25], "other", "plain"),
        _line("这一条还说了什么？", "这句话文件里根本没有，是模型编的"),  # not verbatim: dropped
        "这一行不是 JSON",  # malformed: ignored
        _line(existing, a.text[:25]),  # already a bank question: dropped
    ]))
    llm.reply("", status=500)  # the second section's call fails
    llm.reply(_line(evals[0], c.text[:20]) + "\n" + _line("那这一段主要讲的是啥", c.text[5:30], "other", "colloquial"))
    out = tmp_path / "bank" / GENERATED_FILE
    gen = QuestionGenerator(_client(llm.base_url), Prompts(ROOT / "prompts"), bank, avoid=evals)
    report = gen.run([doc], out, limit=3)
    assert (report.sections, report.asked, report.failed) == (3, 2, 1)
    assert report.kept == 2
    assert report.dropped == {"span not verbatim": 1, "already in the bank": 1, "near copy of an evaluation question": 1}
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["locator"] for r in rows] == [a.locator, c.locator]
    assert all(r["source"] == "generated" for r in rows)
    assert [q["q"] for q in rows[0]["questions"]] == ["这一条写的第一件事是什么？"]
    # what is written is the document's own text and loads like every other entry
    loaded = QuestionBank.load(out.parent, Sources([doc]), strict=True)
    assert len(loaded.entries) == 2 and all(e.quotable for e in loaded.entries)
    prompt = "\n".join(m["content"] for m in llm.requests[0]["messages"])
    assert a.text in prompt and a.locator in prompt
    # a second run over the same sections replaces their entries, it does not duplicate them
    llm.reply(_line("这一条开头说了什么？", a.text[:25]), times=3)
    gen.run([doc], out, limit=1)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and [q["q"] for q in rows[0]["questions"]] == ["这一条开头说了什么？"]


def test_a_dead_model_writes_nothing_new(docs_by_id, bank, tmp_path):
    from fake_llm import closed_port

    doc = docs_by_id["nqsl-measures-2023"]
    out = tmp_path / GENERATED_FILE
    gen = QuestionGenerator(_client(f"http://127.0.0.1:{closed_port()}/v1"), Prompts(ROOT / "prompts"), bank)
    report = gen.run([doc], out, limit=2)
    assert report.failed == 2 and report.kept == 0
    assert out.read_text(encoding="utf-8") == ""
