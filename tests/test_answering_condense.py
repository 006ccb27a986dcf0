"""Language detection, follow-up detection and the rule-based condenser (table-driven)."""

from __future__ import annotations

import pytest

from assistant.answering.condense import RuleCondenser, is_follow_up, last_user_question
from assistant.language import detect_language

H = [
    {"role": "user", "content": "国家质量标准实验室的建设期限是多久？"},
    {"role": "assistant", "content": "根据第十八条，一般不超过2年。"},
]
H_EN = [{"role": "user", "content": "How long is the construction period?"}, {"role": "assistant", "content": "2 years."}]


@pytest.mark.parametrize(
    "text, lang",
    [
        ("申报需要什么条件？", "zh"),
        ("申报SQSL需要什么条件？", "zh"),
        ("What does 依托单位 mean in the Measures?", "en"),
        ("Who recommends a central enterprise?", "en"),
        ("第十二条", "zh"),
    ],
)
def test_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "question, history, follow",
    [
        ("那延期呢？", H, True),
        ("它的面积要求是多少？", H, True),
        ("这个需要提前多久申请？", H, True),
        ("要多久？", H, True),
        ("what about the extension?", H_EN, True),
        ("And can it be extended?", H_EN, True),
        ("申报国家质量标准实验室需要满足哪些条件？", H, False),
        ("那延期呢？", None, False),  # nothing to follow up on
        ("那延期呢？", [{"role": "assistant", "content": "您好"}], False),
        ("Who recommends a central state-owned enterprise's application?", H_EN, False),
    ],
)
def test_follow_up_detection(question, history, follow):
    assert is_follow_up(question, history) is follow


def test_rule_condense_carries_the_previous_question():
    c = RuleCondenser().condense("那延期呢？", H)
    assert c.follow_up and c.method == "rule"
    assert c.standalone.startswith("延期") and "国家质量标准实验室的建设期限是多久" in c.standalone


def test_rule_condense_english():
    c = RuleCondenser().condense("what about the extension?", H_EN)
    assert c.standalone.startswith("the extension") and "How long is the construction period?" in c.standalone


def test_standalone_question_is_unchanged():
    q = "申报国家质量标准实验室需要满足哪些条件？"
    c = RuleCondenser().condense(q, H)
    assert not c.follow_up and c.standalone == q


def test_last_user_question_skips_assistant_turns():
    assert last_user_question(H) == "国家质量标准实验室的建设期限是多久？"
    assert last_user_question([]) is None
