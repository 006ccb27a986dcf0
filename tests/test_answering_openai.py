"""The OpenAI-compatible path, for real: langchain-openai's ChatOpenAI against a chat-completions
server on loopback (tests/fake_llm.py), with and without streaming, over the real index and
retriever (the session index of conftest.py).

Covers a good answer (markers mapped to passages, quotes verbatim), a marker pointing nowhere, an
invented number, a misquote, a reply slower than the timeout, an HTTP error, a dead server, and
follow-up condensing by the model with the rule as fallback.
"""

from __future__ import annotations

import pytest

from assistant.answering import build_answerer
from assistant.settings import AnswerSettings
from assistant.types import Answer
from fake_llm import FakeLLM, closed_port

GOOD = (
    "根据《国家质量标准实验室管理办法》第十八条，“国家质量标准实验室建设期限一般不超过2年”[1]。"
    "不能如期完成的，“延长期限最长为1年”[1]。"
)


@pytest.fixture(scope="module")
def corpus(qsl_assistant):
    return list(qsl_assistant.docs.values())


@pytest.fixture
def llm():
    server = FakeLLM().start()
    yield server
    server.stop()


class _Recorder:
    """The real retriever, noting the question text of every retrieval."""

    def __init__(self, inner):
        self.inner = inner
        self.queries: list[str] = []

    def retrieve(self, q, *args, **kwargs):
        self.queries.append(q.text)
        return self.inner.retrieve(q, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _answerer(corpus, assistant, base_url, timeout_s=5.0):
    settings = assistant.settings.model_copy(update={"answer": AnswerSettings(
        backend="openai", base_url=base_url, model="fake-model", api_key="test-key", timeout_s=timeout_s)})
    a = build_answerer(settings, assistant)
    a.retriever = _Recorder(a.retriever)
    a.retrieved_queries = a.retriever.queries
    return a


def _grounded(answer: Answer, corpus) -> None:
    texts = {d.meta.id: "".join(d.text.split()) for d in corpus}
    for c in answer.citations:
        assert "".join(c.quote.split()) in texts[c.doc_id], c.quote


def test_good_answer_is_kept_with_markers_mapped(llm, corpus, qsl_assistant):
    llm.reply(GOOD)
    ans = _answerer(corpus, qsl_assistant, llm.base_url).ask("建设期多久？能延期吗？")
    assert ans.backend == "openai" and ans.fallback_reason is None and not ans.refused
    assert ans.text == GOOD
    assert {c.marker for c in ans.citations} == {1}
    assert {c.locator for c in ans.citations} == {"第十八条"}
    assert "国家质量标准实验室建设期限一般不超过2年" in {c.quote for c in ans.citations}
    _grounded(ans, corpus)
    req = llm.requests[-1]
    assert req["model"] == "fake-model" and not req.get("stream")
    prompt = "\n".join(m["content"] for m in req["messages"])
    assert "[1]" in prompt and "第十八条" in prompt and "建设期多久" in prompt


def test_streamed_answer_yields_deltas_then_the_answer(llm, corpus, qsl_assistant):
    llm.reply(GOOD)
    items = list(_answerer(corpus, qsl_assistant, llm.base_url).ask_stream("建设期多久？能延期吗？"))
    deltas, final = items[:-1], items[-1]
    assert isinstance(final, Answer) and final.backend == "openai"
    assert len(deltas) > 3 and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == GOOD == final.text
    assert llm.requests[-1]["stream"] is True


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("建设期限一般不超过2年[9]。", "[9]"),  # marker that points nowhere
        ("建设期限一般不超过2年，延长期限最长为3年[1]。", "3年"),  # invented number
        ("建设期限一般不超过2年。", "no passage marker"),  # no citation at all
        ("第十八条规定：“建设期满后自动延长一年并给予补贴”[1]。", "quote"),  # words not in the passage
        ("依照第二十九条，建设期不超过2年[1]。", "第二十九条"),  # an article not given
    ],
)
def test_unverifiable_answer_falls_back_to_extractive(llm, corpus, qsl_assistant, reply, reason):
    llm.reply(reply)
    ans = _answerer(corpus, qsl_assistant, llm.base_url).ask("建设期多久？能延期吗？")
    assert ans.backend == "extractive"
    assert ans.fallback_reason and reason in ans.fallback_reason
    assert "2年" in ans.text and ans.citations
    _grounded(ans, corpus)


def test_streamed_bad_answer_ends_with_the_extractive_answer(llm, corpus, qsl_assistant):
    llm.reply("建设期限一般不超过5年[1]。")
    items = list(_answerer(corpus, qsl_assistant, llm.base_url).ask_stream("建设期多久？"))
    final = items[-1]
    assert isinstance(final, Answer) and final.backend == "extractive" and "5" in final.fallback_reason
    assert "不超过2年" in final.text


def test_slow_model_times_out_and_falls_back(llm, corpus, qsl_assistant):
    llm.reply(GOOD, delay_s=3.0)
    ans = _answerer(corpus, qsl_assistant, llm.base_url, timeout_s=0.5).ask("建设期多久？")
    assert ans.backend == "extractive" and "unavailable" in ans.fallback_reason
    assert "Timeout" in ans.fallback_reason or "timed out" in ans.fallback_reason.lower()
    assert "不超过2年" in ans.text


def test_slow_stream_times_out_and_falls_back(llm, corpus, qsl_assistant):
    llm.reply(GOOD, delay_s=3.0)
    final = list(_answerer(corpus, qsl_assistant, llm.base_url, timeout_s=0.5).ask_stream("建设期多久？"))[-1]
    assert isinstance(final, Answer) and final.backend == "extractive" and final.fallback_reason


def test_http_error_falls_back(llm, corpus, qsl_assistant):
    llm.reply("", status=500)
    ans = _answerer(corpus, qsl_assistant, llm.base_url).ask("建设期多久？")
    assert ans.backend == "extractive" and "unavailable" in ans.fallback_reason


def test_dead_server_falls_back(corpus, qsl_assistant):
    ans = _answerer(corpus, qsl_assistant, f"http://127.0.0.1:{closed_port()}/v1", timeout_s=2.0).ask("建设期多久？")
    assert ans.backend == "extractive" and "unavailable" in ans.fallback_reason
    assert "不超过2年" in ans.text


def test_follow_up_is_condensed_by_the_model(llm, corpus, qsl_assistant):
    llm.replies.clear()
    llm.reply("国家质量标准实验室的建设期限可以延长多久？")  # the condense call
    llm.reply("“延长期限最长为1年”[1]。")  # the answer call
    a = _answerer(corpus, qsl_assistant, llm.base_url)
    ans = a.ask("那延期呢？", history=[{"role": "user", "content": "建设期限是多久？"},
                                      {"role": "assistant", "content": "一般不超过2年。"}])
    assert a.retrieved_queries[-1] == "国家质量标准实验室的建设期限可以延长多久？"
    assert ans.standalone_question == "国家质量标准实验室的建设期限可以延长多久？"
    assert ans.backend == "openai" and "1年" in ans.text
    condense_prompt = "\n".join(m["content"] for m in llm.requests[-2]["messages"])
    assert "那延期呢" in condense_prompt and "建设期限是多久" in condense_prompt


def test_condense_falls_back_to_the_rule_when_the_model_fails(corpus, qsl_assistant):
    a = _answerer(corpus, qsl_assistant, f"http://127.0.0.1:{closed_port()}/v1", timeout_s=1.0)
    ans = a.ask("那延期呢？", history=[{"role": "user", "content": "建设期限是多久？"}])
    assert "延期" in a.retrieved_queries[-1] and "建设期限是多久" in a.retrieved_queries[-1]
    assert ans.backend == "extractive" and "1年" in ans.text


def test_a_question_that_stands_alone_is_not_sent_for_condensing(llm, corpus, qsl_assistant):
    llm.replies.clear()
    llm.reply(GOOD)
    _answerer(corpus, qsl_assistant, llm.base_url).ask(
        "国家质量标准实验室的建设期限是多久？", history=[{"role": "user", "content": "申报要什么条件？"}]
    )
    assert len(llm.requests) == 1  # only the answer call
