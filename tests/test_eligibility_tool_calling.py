"""The eligibility check through tool calling (backend ``openai``): the real ``Assistant`` over the
session index, the real langchain-openai client, and a chat-completions server on loopback
(tests/fake_llm.py) that answers with a ``tool_calls`` message.

The model only reads the figures into the tool's arguments; the statuses are computed in code.
Covers a tool call with figures, no tool call (no report, even when the message has figures),
figures of earlier turns as the base under the model's correction, malformed arguments and a dead
server (both: the extractor decides, the reason is recorded), and the tool definition on the wire.
"""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.settings import AnswerSettings
from fake_llm import FakeLLM, closed_port

TOOL = "check_lab_eligibility"
FIGURES_Q = "我们科研用房4200平方米，设备现值4800万元，能申报国家质量标准实验室吗？"


def _assistant(built_index, base_url: str, timeout_s: float = 5.0) -> Assistant:
    answer = AnswerSettings(backend="openai", base_url=base_url, model="fake-model", api_key="test-key",
                            timeout_s=timeout_s)
    settings = built_index.settings.model_copy(update={"answer": answer})
    return Assistant(settings, built_index.docs, built_index.embedder, built_index.store, built_index.report)


@pytest.fixture(scope="module")
def llm():
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chat(built_index, llm):
    return _assistant(built_index, llm.base_url)


@pytest.fixture
def script(llm):
    """Queue the model's reply to the tool-calling request; the answer chain's calls get plain text."""
    def queue(tool_args=None, text: str = "（无）"):
        llm.replies.clear()
        llm.requests.clear()
        if tool_args is not None:
            llm.reply_tool_call(TOOL, tool_args)
        else:
            llm.reply(text)
        llm.reply("（无）")  # condense / answer calls: fails verification, the extractive answer stands
    return queue


def _status(answer, cid: str) -> str:
    return next(c["status"] for c in answer.eligibility["criteria"] if c["id"] == cid)


def test_tool_call_gives_the_report_computed_in_code(chat, llm, script):
    script({"area_m2": 4200, "equipment_wan": 4800})
    ans = chat.ask(FIGURES_Q)
    assert ans.eligibility is not None
    assert ans.eligibility["figures"]["area_m2"] == 4200 and ans.eligibility["figures"]["equipment_wan"] == 4800
    assert _status(ans, "area") == "met" and _status(ans, "equipment") == "not_met"
    assert ans.eligibility["overall"] == "not_eligible"
    assert "eligibility" not in (ans.fallback_reason or "")
    assert any(c.locator.startswith("第十二条") for c in ans.citations)
    # The tool definition and the prompt went over the wire with the first request.
    first = llm.requests[0]
    assert [t["function"]["name"] for t in first["tools"]] == [TOOL]
    props = first["tools"][0]["function"]["parameters"]["properties"]
    assert {"area_m2", "equipment_wan", "projects_count"} <= set(props)
    assert first["messages"][0]["role"] == "system" and TOOL in first["messages"][0]["content"]
    assert first["messages"][-1] == {"role": "user", "content": FIGURES_Q}


def test_no_tool_call_means_no_report(chat, script):
    script(None, text="建设期一般不超过2年。")
    assert chat.ask("国家质量标准实验室的建设期限是多久？").eligibility is None
    # The model decides: figures in the text, but no tool call, no report.
    script(None, text="请问您想了解什么？")
    assert chat.ask(FIGURES_Q).eligibility is None


def test_earlier_figures_are_the_base_and_the_model_corrects(chat, llm, script):
    history = [{"role": "user", "content": FIGURES_Q}, {"role": "assistant", "content": "设备现值未达到5000万元。"}]
    script({"equipment_wan": 5200})
    ans = chat.ask("设备其实是5200万", history=history)
    assert ans.eligibility["figures"]["area_m2"] == 4200 and ans.eligibility["figures"]["equipment_wan"] == 5200
    assert _status(ans, "area") == "met" and _status(ans, "equipment") == "met"
    sent = llm.requests[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]


@pytest.mark.parametrize("bad", ['{"area_m2": 4200, "equipment_wan": ', {"area_m2": "very large", "equipment_wan": -1}])
def test_malformed_args_fall_back_to_the_extractor(chat, script, bad):
    script(bad)
    ans = chat.ask(FIGURES_Q)
    assert "eligibility tool call failed" in ans.fallback_reason
    assert ans.eligibility["figures"]["area_m2"] == 4200  # read from the text by the extractor
    assert _status(ans, "area") == "met" and _status(ans, "equipment") == "not_met"


def test_dead_server_falls_back_to_the_extractor(built_index):
    a = _assistant(built_index, f"http://127.0.0.1:{closed_port()}/v1", timeout_s=2.0)
    ans = a.ask(FIGURES_Q)
    assert "eligibility tool call failed" in ans.fallback_reason and "unavailable" in ans.fallback_reason
    assert _status(ans, "area") == "met" and _status(ans, "equipment") == "not_met"
    assert ans.backend == "extractive"
    # streaming, too: the final Answer carries the extractor's report
    final = list(a.ask_stream(FIGURES_Q))[-1]
    assert final.eligibility is not None and "eligibility tool call failed" in final.fallback_reason
