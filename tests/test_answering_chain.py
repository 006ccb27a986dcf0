"""The answer chain end to end on the real index (real Chroma in a temp dir, the bundled
embedder): follow-ups across turns, English answers, refusals, streaming, bad input, and the
answer-evaluation harness on a few questions."""

from __future__ import annotations

import json

import pytest

from assistant.errors import InputError
from assistant.settings import Settings, StoreSettings
from assistant.types import Answer


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory):
    from assistant import Assistant

    # Same path as the web tests' fixture: the index is built once per session.
    return Assistant.from_settings(Settings(store=StoreSettings(path=tmp_path_factory.getbasetemp() / "web-index")))


@pytest.fixture(scope="session")
def doc_texts(real_assistant):
    return {doc_id: "".join(d.text.split()) for doc_id, d in real_assistant.docs.items()}


def grounded(ans: Answer, doc_texts) -> bool:
    return bool(ans.citations) and all("".join(c.quote.split()) in doc_texts[c.doc_id] for c in ans.citations)


def test_answer_with_article_citation(real_assistant, doc_texts):
    ans = real_assistant.ask("国家质量标准实验室建设期限一般是多久？")
    assert not ans.refused and ans.backend == "extractive"
    assert "第十八条" in ans.text and "2年" in ans.text
    assert any(c.locator == "第十八条" for c in ans.citations)
    assert grounded(ans, doc_texts)


def test_follow_up_resolves_across_turns(real_assistant, doc_texts):
    history = [
        {"role": "user", "content": "国家质量标准实验室建设期限一般是多久？"},
        {"role": "assistant", "content": real_assistant.ask("国家质量标准实验室建设期限一般是多久？").text},
    ]
    ans = real_assistant.ask("那延期呢？", history=history)
    assert "延期" in ans.standalone_question and "建设期限" in ans.standalone_question
    assert "1年" in ans.text and "第十八条" in ans.text
    assert grounded(ans, doc_texts)
    # a third turn leaning on the second
    history += [{"role": "user", "content": "那延期呢？"}, {"role": "assistant", "content": ans.text}]
    ans3 = real_assistant.ask("要提前多久申请？", history=history)
    assert "3个月" in ans3.text


def test_follow_up_about_who(real_assistant):
    history = [{"role": "user", "content": "中央直属企业申报由谁推荐？"}, {"role": "assistant", "content": "由其主管部门负责推荐。"}]
    ans = real_assistant.ask("那地方企业呢？", history=history)
    assert "省级市场监管部门" in ans.text


def test_english_question(real_assistant, doc_texts):
    ans = real_assistant.ask("We are a central state-owned enterprise. Who has to recommend our application?")
    assert ans.language == "en" and not ans.refused
    assert ans.text.startswith("In short:") and "主管部门" in ans.text and "第十条" in ans.text
    assert grounded(ans, doc_texts)


def test_refusal_points_to_the_recommending_body(real_assistant, doc_texts):
    ans = real_assistant.ask("投资补助具体能给多少钱？")
    assert ans.refused and "没有规定" in ans.text
    assert any(c.locator == "第十条" for c in ans.citations)
    assert grounded(ans, doc_texts)


def test_version_difference_is_stated(real_assistant):
    ans = real_assistant.ask("实验室评审到底是由评审委员会还是专家委员会负责？两份文件说法一样吗？")
    assert "专家委员会" in ans.text and "评审委员会" in ans.text
    assert {"in_force"} <= {c.status for c in ans.citations}


def test_stream_yields_text_then_the_answer(real_assistant):
    items = list(real_assistant.ask_stream("专家委员会由多少人组成？"))
    final = items[-1]
    assert isinstance(final, Answer) and all(isinstance(i, str) for i in items[:-1])
    assert "".join(items[:-1]) == final.text and "15人" in final.text


@pytest.mark.parametrize("bad", ["", "   ", "问" * 5000])
def test_bad_input_raises_input_error(real_assistant, bad):
    with pytest.raises(InputError):
        real_assistant.ask(bad)


def test_answer_eval_harness(real_assistant, tmp_path):
    from assistant.evaluation.answers import format_answer_eval, run_answer_eval

    rows = [
        {"id": "t1", "question": "专家委员会任期多久？", "lang": "zh", "answerable": True,
         "evidence": [{"doc_id": "nqsl-measures-2023", "locator": "第九条", "text": "专家委员会任期两年"}], "key_facts": ["两年"]},
        {"id": "t2", "question": "申报费要交多少钱？", "lang": "zh", "answerable": False, "evidence": [], "key_facts": []},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run_answer_eval(path, real_assistant)
    assert result["key_fact_coverage"] == 1.0 and result["refusal_accuracy"] == 1.0
    assert result["quote_grounding"] == 1.0 and result["numbers_check"] == 1.0
    assert result["false_refusal_rate"] == 0.0 and result["citation_precision"] > 0
    assert "key_fact_coverage" in format_answer_eval(result)
