"""The extractive composer on real passages of the cleaned corpus: known answers, list items,
several articles, versions and status labels, English framing, and quotes that are verbatim spans."""

from __future__ import annotations

import pytest

from assistant.answering.question import analyse
from passages import P, answer, assert_grounded

M = "nqsl-measures-2023"
G = "nqsl-guidance-2022"



@pytest.mark.parametrize(
    "question, locators, expected, lead",
    [
        ("建设期一般几年？到期建不完的话最多能延长多久？", ["第十八条", "第十九条"], ["2年", "1年"], "第十八条"),
        ("专家委员会由多少人组成？", ["第九条", "第十九条"], ["15人", "单数"], "第九条"),
        ("作为一家央企，我们申报时由哪个单位出推荐意见？", ["第十条", "第十三条"], ["主管部门"], "第十条"),
        ("验收会有哪几种结论？", ["第十九条", "第十八条"], ["通过验收", "整改", "未通过验收"], "第十九条"),
        ("实验室主任由什么人担任？", ["第十五条", "第十四条"], ["高层领导"], "第十四条"),
    ],
)
def test_known_answers_lead_with_document_and_article(gen, lexicon, sources, corpus_docs, question, locators, expected, lead):
    ans = answer(gen, lexicon, question, [P(sources, M, loc) for loc in locators])
    assert not ans.refused
    assert ans.text.startswith(f"根据《国家质量标准实验室管理办法》{lead}")
    for fact in expected:
        assert fact in ans.text
    assert_grounded(ans, corpus_docs)


def test_sentence_choice_within_a_long_section(gen, lexicon, sources, corpus_docs):
    # 第十二条（一） has four sentences; the area question quotes the one with the figure.
    ans = answer(gen, lexicon, "实验楼得有多大面积才够格？", [P(sources, M, "第十二条（一）"), P(sources, M, "第十条")])
    assert "3000 平方米" in ans.text
    assert "第十条" not in ans.text  # a passage that adds nothing is not cited
    assert_grounded(ans, corpus_docs)


def test_list_question_gives_the_items(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "推荐单位的主要职责有哪些？", [P(sources, M, "第十条")])
    assert "推荐单位的主要职责包括：" in ans.text
    for label in ("（一）", "（二）", "（三）"):
        assert label in ans.text
    assert ans.text.count("\n- ") == 3
    assert_grounded(ans, corpus_docs)


def test_list_held_in_sibling_sections_is_gathered(gen, lexicon, sources, corpus_docs):
    intro = P(sources, G, "二、主要任务 > （四）聚焦研究重点")
    ans = answer(gen, lexicon, "指导意见提出了哪几个研究重点？", [intro])
    for item in ("质量政策体系研究", "传统质量安全机理研究", "新型产品安全问题研究"):
        assert item in ans.text
    assert_grounded(ans, corpus_docs)


def test_two_articles_for_a_two_part_question(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "我们是地方企业，申报要找谁推荐，推荐之后还要经过哪些环节？",
                 [P(sources, M, "第十条"), P(sources, M, "第十三条"), P(sources, M, "第五条")])
    assert "省级市场监管部门" in ans.text and "现场考察" in ans.text
    assert {c.locator for c in ans.citations} == {"第十条", "第十三条"}
    assert_grounded(ans, corpus_docs)


def test_earlier_wording_is_noted_after_the_2023_rule(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "运行不达标又整改不到位的，是取消资格还是有别的处理？现在以哪个规定为准？",
                 [P(sources, G, "三、保障措施 > （三）加强考核验收"), P(sources, M, "第二十七条")])
    assert "不再列入国家质量标准实验室序列" in ans.text and "取消其资格" in ans.text
    note = ans.text[ans.text.index("版本说明"):]
    assert note.index("不再列入") < note.index("取消其资格")  # the 2023 rule first
    assert_grounded(ans, corpus_docs)


def test_draft_is_labelled(gen, lexicon, sources, corpus_docs):
    p = P(sources, "liaoning-qi-plan-draft-2022", "一、总体要求 > （三）工作目标 > 3. 认证能力持续提升")
    ans = answer(gen, lexicon, "辽宁方案计划认证证书总数达到多少？", [p])
    assert "7.5万张" in ans.text and "征求意见稿" in ans.text and "非正式施行" in ans.text
    assert ans.citations[0].status == "draft_for_comment"
    assert_grounded(ans, corpus_docs)


def test_english_question_gets_english_frame_and_chinese_quotes(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "How long is the construction period, and how long can it be extended?",
                 [P(sources, M, "第十八条")])
    assert ans.language == "en"
    assert ans.text.startswith("Here is what the documents say")
    assert "Measures for the Administration" in ans.text
    assert "不超过2年" in ans.text and "最长为1年" in ans.text
    assert_grounded(ans, corpus_docs)


def test_no_passages_gives_nothing_to_say(gen, lexicon):
    ans = answer(gen, lexicon, "建设期多久？", [])
    assert ans.refused and not ans.citations


# -- figures, run-on sentences and section titles -----------------------------------------------
L = "liaoning-qi-plan-draft-2022"
S = "qi-supply-chain-2024"


def test_duration_question_leads_with_the_sentence_that_gives_a_duration(gen, lexicon, sources, corpus_docs):
    # The 标准体系 section shares more words (立项, 发布, 地方标准) but gives no period; the 工作目标
    # item prints it (18个月以内).
    tasks = P(sources, L, "二、重点任务 > （二）标准领域建设 > 4. 完善高质量发展的标准体系")
    goals = P(sources, L, "一、总体要求 > （三）工作目标 > 2. 标准引领作用更加凸显")
    ans = answer(gen, lexicon, "辽宁的地方标准从立项到发布，计划控制在多长时间？", [tasks, goals])
    assert "18个月" in ans.text
    assert {c.locator for c in ans.citations} == {goals.locator}  # the section without the period is not cited
    assert_grounded(ans, corpus_docs)


def test_applicants_own_figure_brings_the_threshold(gen, lexicon, sources, corpus_docs):
    # The applicant compares a figure of their own: the item with the threshold leads, not the
    # section's general sentences.
    ans = answer(gen, lexicon, "我们每年对外提供技术服务七八百万，成果这块能算上吗？",
                 [P(sources, M, "第十二条（四）"), P(sources, M, "第十二条（四）4")])
    assert "3000万元" in ans.text
    assert "在先进质量标准" not in ans.text  # the section's general sentence does not lead
    assert_grounded(ans, corpus_docs)


def test_count_question_quotes_both_the_vague_and_the_exact_figure(gen, lexicon, sources, corpus_docs):
    # 2022 says 若干 (a partial answer of the kind asked); 2024 gives 10家: both are quoted. The year
    # 2025年 is not taken for the figure asked.
    ans = answer(gen, lexicon, "到2025年一共要建成多少家质量标准实验室？",
                 [P(sources, G, "一、总体要求"), P(sources, S, "一、总体要求 > （三）行动目标")])
    assert "若干" in ans.text and "10家" in ans.text
    assert_grounded(ans, corpus_docs)


def test_section_title_alone_does_not_answer(gen, lexicon, sources, corpus_docs):
    from assistant.answering.extractive import score_units

    title_only = P(sources, L, "二、重点任务 > （三）认证领域建设 > 8. 发挥认证服务地方经济发展能力")
    analysis = analyse("认证机构怎样服务地方产业？", lexicon)
    top = score_units(analysis, [title_only])[0]
    assert not top.unit.text.startswith("8.发挥认证服务地方经济发展能力")  # a sentence under the title leads
    ans = gen.answer(analysis, [title_only])
    assert "“8.发挥认证服务地方经济发展能力。”" not in ans.text
    assert_grounded(ans, corpus_docs)


def test_stated_quantity_is_not_a_year_or_an_article():
    from assistant.answering.extractive import _STATED_QUANTITY

    assert _STATED_QUANTITY.search("仪器设备现值大概四千万")
    assert _STATED_QUANTITY.search("拿了10个国家级课题")
    assert not _STATED_QUANTITY.search("2025年的目标是什么？")
    assert not _STATED_QUANTITY.search("第十二条讲了什么？")


def test_bare_year_in_an_english_question_is_a_concept(lexicon):
    a = analyse("What goals were set for 2035?", lexicon)
    assert any("2035年" in g.variants for g in a.groups)


def test_run_on_sentence_counts_for_less_than_its_raw_overlap(lexicon, sources):
    from assistant.answering.extractive import _LONG_UNIT, score_units

    p = P(sources, L, "三、政策资金保障措施 > （二）加大财政金融扶持力度")
    analysis = analyse("省里会给经费支持吗？", lexicon)
    long_units = [sc for sc in score_units(analysis, [p]) if len(sc.unit.text) > _LONG_UNIT]
    assert long_units
    for sc in long_units:
        assert sc.coverage < analysis.coverage(sc.unit.text)
