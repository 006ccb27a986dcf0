"""The refusal gate on real passages: it refuses when the documents never give the asked fact,
quotes the nearest thing they do say and points to the recommending body of 第十条, and it does
not refuse questions the passages answer."""

from __future__ import annotations

import pytest

from assistant.answering.question import analyse
from assistant.answering.refusal import RefusalGate

M = "nqsl-measures-2023"
G = "nqsl-guidance-2022"
SUBSIDY = (G, "三、保障措施 > （二）强化政策激励")


@pytest.fixture(scope="module")
def gate(sources, lexicon):
    return RefusalGate(sources, lexicon)


def passages(sources, *refs):
    return [sources.section(d, loc) for d, loc in refs]


@pytest.mark.parametrize(
    "question, refs, missing",
    [
        ("投资补助具体能给多少钱？", [SUBSIDY, (M, "第二十八条")], "money"),
        ("申报国家质量标准实验室要交申报费或评审费吗？交多少？", [(M, "第十三条"), SUBSIDY], "money"),
        ("今年国家质量标准实验室申报的截止日期是哪天？", [(M, "第十三条"), (M, "第十二条")], "date"),
        ("市场监管总局负责受理的办公室电话是多少？", [(M, "第七条"), (M, "第十三条")], "contact"),
        ("专家委员会主任委员现在是谁？", [(M, "第九条")], "person"),
        ("现场考察一般持续几天？", [(M, "第十三条"), (M, "第十九条")], "duration"),
        ("研究团队里至少要有几个博士？", [(M, "第十二条（二）"), (M, "第十一条")], "number"),
        ("申报书用什么格式？有没有模板可以下载？", [(M, "第十三条"), (M, "第十条")], "detail"),
        ("How much money does the government give each approved lab?", [SUBSIDY, (M, "第二十八条")], "money"),
        ("外资企业可以作为依托单位申报吗？", [(M, "第五条"), (M, "第十一条")], None),
        ("Can a foreign-invested company apply to host a lab?", [(M, "第五条"), (M, "第十一条")], None),
    ],
)
def test_refuses_when_the_fact_is_never_given(gate, lexicon, sources, question, refs, missing):
    ps = passages(sources, *refs)
    a = analyse(question, lexicon)
    d = gate.decide(a, ps)
    assert d.refuse and d.missing == missing, d
    ans = gate.answer(a, ps, d)
    assert ans.refused and ans.citations
    assert any(c.locator == "第十条" for c in ans.citations)  # who can answer


def test_refusal_shows_the_nearest_thing_the_documents_say(gate, lexicon, sources):
    ps = passages(sources, SUBSIDY, (M, "第二十八条"))
    a = analyse("投资补助具体能给多少钱？", lexicon)
    ans = gate.answer(a, ps, gate.decide(a, ps))
    assert ans.text.startswith("现有文件没有规定具体金额")
    assert "一定的投资补助" in ans.text
    assert "由其主管部门负责推荐" in ans.text


def test_refusal_quotes_that_implementing_rules_come_later(gate, lexicon, sources):
    ps = passages(sources, (M, "第十三条"), (M, "第十二条"))
    a = analyse("今年国家质量标准实验室申报的截止日期是哪天？", lexicon)
    ans = gate.answer(a, ps, gate.decide(a, ps))
    assert "具体实施细则由市场监管总局、工业和信息化部另行制定" in ans.text


def test_refusal_quotes_do_not_end_on_a_list_intro_without_its_list(gate, lexicon, sources):
    ps = passages(sources, (M, "第十一条"), (M, "第十三条"), (M, "第十条"))
    a = analyse("外资企业可以作为依托单位申报吗？", lexicon)
    ans = gate.answer(a, ps, gate.decide(a, ps))
    assert "由依托单位或联合体负责" in ans.text
    assert "主要职责包括：”" not in ans.text, ans.text


def test_english_refusal_is_in_english(gate, lexicon, sources):
    ps = passages(sources, SUBSIDY)
    a = analyse("What is the application fee?", lexicon)
    d = gate.decide(a, ps)
    ans = gate.answer(a, ps, d)
    assert d.refuse and ans.language == "en" and ans.text.startswith("The documents do not specify")


@pytest.mark.parametrize(
    "question, refs",
    [
        ("仪器设备现值要达到多少？", [(M, "第十二条（一）")]),  # a money figure the documents give
        # A question with a second part: the amount sits in the top passage, which covers only
        # part of everything asked.
        ("设备的资金要求看购置时的原值还是现在的现值？金额下限多少？", [(M, "第十二条（一）"), (M, "第十二条")]),
        ("建设期一般几年？", [(M, "第十八条")]),
        ("辽宁的质量基础设施建设实施方案意见反馈截止到什么时候？", [("liaoning-qi-plan-draft-2022", "征求意见公告")]),
        ("获批后实验室统一叫什么名字？", [(M, "第三十一条")]),
        ("批准建设的名单在确定之前会对外公开吗？", [(M, "第十三条")]),
        ("几家单位可以联合起来一起申报吗？", [(M, "第五条")]),
        ("地方企业可以申报吗？", [(M, "第十条"), (M, "第五条")]),
        ("实验室平时的开销由谁来掏？", [SUBSIDY]),
        ("符合条件的实验室能得到国家什么样的资金支持？", [SUBSIDY]),
    ],
)
def test_does_not_refuse_what_the_documents_answer(gate, lexicon, sources, question, refs):
    ps = passages(sources, *refs)
    d = gate.decide(analyse(question, lexicon), ps)
    assert not d.refuse, d


def test_no_passages_is_a_refusal(gate, lexicon):
    assert gate.decide(analyse("建设期多久？", lexicon), []).refuse
