"""Passage and sentence selection of the extractive answer, and how its citations are listed.

Real parsed documents, real lexicon; the passages are handed in (no index needed). Each test names
the behaviour: figures that only name things (5部门) are not the figure asked; a sentence of the
lead passage may answer without sharing words; 好几 does not ask; the second part of a question
brings its own article; a 2022 wording is noted only when it adds to the answer; a passage is
cited once however many quotes the text takes from it; periods match in either numeral form; a
list question prefers a list (also one written inside a sentence); what 除了 sets aside counts for
little and "还需要…吗" prefers the text stating a duty; a quote does not end on a list intro whose
items are left out, nor does a list start with its section's bare title; applicant wording (自己筹,
在管, 我们学校) finds the documents' words (自筹, 负责, 依托单位).
"""

from __future__ import annotations

import pytest

from assistant.answering.extractive import _FIGURE, _figures_only
from assistant.answering.lexicon import TermGroup
from assistant.answering.question import analyse, count_parts
from passages import P, answer, assert_grounded

M = "nqsl-measures-2023"
G = "nqsl-guidance-2022"
S = "qi-supply-chain-2024"



# -- figures ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, is_figure",
    [
        ("近日,5部门联合印发", False),  # a count that names who issued the text
        ("国市监质发〔2023〕92号", False),  # a document number
        ("到2025年底,先期布局", False),  # a calendar year
        ("遴选建设国家质量标准实验室10家", True),
        ("制造业质量竞争力指数达到86,", True),  # a figure standing alone
        ("原则上面积在3000 平方米以上", True),
        ("需具备以下条件的任意三项", True),
    ],
)
def test_a_figure_counts_something(text, is_figure):
    assert bool(_FIGURE.search(_figures_only(text))) is is_figure


def test_news_lead_that_only_mentions_data_does_not_answer_a_count(gen, lexicon, sources, corpus_docs):
    lead = P(sources, S, "导语")
    goals = P(sources, S, "一、总体要求 > （三）行动目标")
    ans = answer(gen, lexicon, "五部门文件到2025年底打算新增多少名首席质量官？", [lead, goals])
    assert "1万名以上" in ans.text
    assert {c.locator for c in ans.citations} == {goals.locator}
    assert_grounded(ans, corpus_docs)


def test_sentence_of_the_lead_passage_gives_the_count_without_sharing_words(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "科研成果这一项列的条件，要满足几条才行？", [P(sources, M, "第十二条（四）"), P(sources, M, "第三条")])
    assert "任意三项" in ans.text
    assert_grounded(ans, corpus_docs)


def test_hao_ji_states_rather_than_asks():
    assert count_parts("科研成果那块列了好几条，得占几条才行？", "zh") == 1
    assert count_parts("建设期一般几年？到期最多能延长多久？", "zh") == 2


# -- parts of a question ----------------------------------------------------------------------
def test_second_question_brings_its_own_article(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "这个办法由谁解释？从哪天起施行？",
                 [P(sources, M, "第三十二条"), P(sources, M, "第三十三条"), P(sources, M, "第八条")])
    assert "负责解释" in ans.text and "自发布之日起施行" in ans.text
    assert {c.locator for c in ans.citations} == {"第三十二条", "第三十三条"}
    assert_grounded(ans, corpus_docs)


def test_two_things_asked_fenbie_are_both_answered(gen, lexicon, sources, corpus_docs):
    # 学术委员会主任 holds 主任 too; only 第十四条 names 实验室主任 in the question's own words.
    ans = answer(gen, lexicon, "学术委员会主任和实验室主任分别要找什么样的人来当？",
                 [P(sources, M, "第十五条"), P(sources, M, "第十四条"), P(sources, M, "第九条")])
    assert "非依托单位人员" in ans.text and "高层领导" in ans.text
    assert "第九条" not in {c.locator for c in ans.citations}
    assert_grounded(ans, corpus_docs)


# -- version notes ----------------------------------------------------------------------------
def test_no_version_note_when_the_2023_rule_already_answers(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "综合评价没通过的实验室会被怎么处理？",
                 [P(sources, M, "第二十七条"), P(sources, G, "三、保障措施 > （三）加强考核验收")])
    assert "不再列入国家质量标准实验室序列" in ans.text
    assert "版本说明" not in ans.text
    assert {c.doc_id for c in ans.citations} == {M}
    assert_grounded(ans, corpus_docs)


def test_version_note_still_given_when_the_question_asks_which_rule_applies(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "整改不到位会被取消资格吗？现在以哪个规定为准？",
                 [P(sources, M, "第二十七条"), P(sources, G, "三、保障措施 > （三）加强考核验收")])
    assert "版本说明" in ans.text and "取消其资格" in ans.text
    assert_grounded(ans, corpus_docs)


# -- citations --------------------------------------------------------------------------------
def test_each_passage_is_cited_once_with_a_verbatim_quote_spanning_its_quotes(gen, lexicon, sources, corpus_docs):
    goals = P(sources, S, "一、总体要求 > （三）行动目标")
    ans = answer(gen, lexicon, "五部门文件到2025年底打算新增多少名首席质量官？", [goals])
    assert "……" in ans.text  # two quotes from the one passage
    markers = [c.marker for c in ans.citations]
    assert len(markers) == len(set(markers)) == 1
    c = ans.citations[0]
    assert "1万名以上" in c.quote and c.quote.startswith("为支撑行动目标实现")
    assert_grounded(ans, corpus_docs)


# -- lexicon ----------------------------------------------------------------------------------
def test_a_period_matches_in_either_numeral_form(lexicon):
    groups = {g.source: g for g in lexicon.term_groups("建设两年到了还没完成怎么办？")}
    assert "2年" in groups["两年"].variants
    assert groups["两年"].matches("国家质量标准实验室建设期限一般不超过2年。")
    groups = {g.source: g for g in lexicon.term_groups("整改给6个月吗？")}
    assert groups["6个月"].matches("应当在六个月内完成")
    # Counts of things are the applicant's own figures, not words to find.
    assert not any("5项" in g.variants for g in lexicon.term_groups("科研成果列了五项，要全部满足吗？"))


def test_a_number_is_not_found_inside_a_longer_number():
    g = TermGroup(source="5年", variants=("5年",), weight=1.0)
    assert g.matches("近5年承担") and not g.matches("近15年承担")


def test_how_long_is_not_the_building_period(lexicon):
    a = analyse("验收要求整改的，多长时间内要改完？", lexicon)
    assert not any("建设期限" in g.variants for g in a.groups)


# -- round 2: parts of a question, things asked about 分别, documents named per part, version notes


def test_asks_joined_by_dunhao_are_separate_parts_but_listed_things_are_not(lexicon):
    assert count_parts("依托单位要承担什么责任、提供哪些保障？", "zh") == 2
    assert count_parts("对科研用房、仪器设备有什么要求？", "zh") == 1


def test_an_alternative_question_with_haishi_is_a_part_of_its_own(lexicon):
    a = analyse("实验室的钱是国家出还是单位自己出？评上优秀以后有没有支持？", lexicon)
    assert a.parts == 2


def test_each_thing_asked_about_separately_and_each_further_ask_is_a_part(lexicon):
    a = analyse("实验室主任和学术委员会主任分别由谁推荐、由什么人担任？", lexicon)
    assert a.respective == ["实验室主任", "学术委员会主任"]
    assert a.parts == 3


def test_a_text_naming_both_things_asked_about_separately_does_not_stand_for_each(gen, lexicon, sources, corpus_docs):
    # 第二十八条 names both departments together; 第二十九条 / 第三十条 say what each one does.
    ps = [P(sources, M, "第二十八条"), P(sources, M, "第三十条"), P(sources, M, "第二十九条"), P(sources, M, "第八条")]
    ans = answer(gen, lexicon, "实验室正式运行后，市场监管总局和工业和信息化部分别提供哪些方面的支持？", ps)
    locs = {c.locator for c in ans.citations}
    assert {"第二十九条", "第三十条"} <= locs, ans.text
    assert "第八条" not in locs
    assert_grounded(ans, corpus_docs)


def test_three_parts_bring_three_articles(gen, lexicon, sources, corpus_docs):
    ps = [P(sources, M, "第十五条"), P(sources, M, "第十条"), P(sources, M, "第十四条"), P(sources, M, "第十一条")]
    ans = answer(gen, lexicon, "实验室主任和学术委员会主任分别由谁推荐、由什么人担任？", ps)
    locs = {c.locator for c in ans.citations}
    assert {"第十四条", "第十五条", "第十一条"} <= locs, ans.text
    assert "依托单位的高层领导" in ans.text and "非依托单位人员" in ans.text


def test_a_part_naming_a_document_is_answered_from_that_document(gen, lexicon, sources, corpus_docs):
    # 第一条 and the covering notice mention the 纲要 by name; only the 纲要 itself says what it lays down.
    outline = P(sources, "quality-power-outline-2023", "九、构建高水平质量基础设施 > 专栏6 质量基础设施升级增效工程")
    ps = [P(sources, M, "第一条"), P(sources, M, "印发通知"), P(sources, M, "第二条"), outline]
    ans = answer(gen, lexicon, "质量强国建设纲要对国家级质量标准实验室有什么部署？管理办法是怎么承接的？", ps)
    assert any(c.doc_id == "quality-power-outline-2023" for c in ans.citations), ans.text
    assert "建设一批高水平国家级质量标准实验室" in ans.text
    assert_grounded(ans, corpus_docs)


def test_parts_naming_different_documents_keep_both_documents(lexicon):
    a = analyse("2022年的指导意见怎么说？五部门的指导意见又怎么说？", lexicon)
    assert {G, S} <= a.documents


def test_the_2023_rule_is_noted_under_a_2022_quote_only_on_the_point_asked(gen, lexicon, sources):
    ps = [P(sources, G, "三、保障措施 > （二）强化政策激励"), P(sources, M, "第二十八条")]
    # Who bears the running costs: the 2022 paragraph answers; 第二十八条 changed the subsidy, not that.
    costs = answer(gen, lexicon, "按2022年的指导意见，实验室的运行和科研经费主要由谁承担？", ps[:1])
    assert "版本说明" not in costs.text and "自筹解决" in costs.text
    assert {c.doc_id for c in costs.citations} == {G}
    # The subsidy itself: the 2023 rule differs on that very point, so it is noted.
    subsidy = answer(gen, lexicon, "按指导意见，符合条件的实验室能拿到什么补助支持？", ps[:1])
    assert "版本说明" in subsidy.text and any(c.locator == "第二十八条" for c in subsidy.citations)


# -- round 3: what a sentence answers, quotes that end cleanly, applicant wording


def test_a_list_written_inside_one_sentence_answers_a_list_question(gen, lexicon, sources, corpus_docs):
    # 第三条 lists the tasks inline (主要包括：承担…；加强…；…); the label (二) of 第十二条（二）'s own
    # section does not make its sentence a list.
    ps = [P(sources, M, "第十二条（二）"), P(sources, M, "第三条")]
    ans = answer(gen, lexicon, "实验室平时主要干哪些活？", ps)
    assert {c.locator for c in ans.citations} == {"第三条"}, ans.text
    assert "质量标准基础科学与应用研究" in ans.text
    assert_grounded(ans, corpus_docs)


def test_what_the_question_sets_aside_counts_for_little(lexicon):
    a = analyse("除了搞科研，还需要做些公益性的事吗？", lexicon)
    assert a.given == {"科研"}
    g = {g.source: g for g in a.groups}
    assert a.group_weight(g["科研"]) < 0.2 * g["科研"].weight
    assert analyse("Besides the annual report, what else must a lab submit?", lexicon).given == {"annual report"}
    assert analyse("科研项目要多少项？", lexicon).given == set()


def test_whether_one_must_do_something_is_answered_by_the_duty(gen, lexicon, sources, corpus_docs):
    # 第七条（四）: the ministries support 公益性科研成果推广; 第二十二条: the laboratory 应当 do 公益性 work.
    ps = [P(sources, M, "第十二条（四）"), P(sources, M, "第二十二条"), P(sources, M, "第七条")]
    ans = answer(gen, lexicon, "除了搞科研，还需要做些公益性的事吗？", ps)
    assert {c.locator for c in ans.citations} == {"第二十二条"}, ans.text
    assert "公益性质量帮扶活动" in ans.text
    assert_grounded(ans, corpus_docs)


def test_a_quote_does_not_end_on_a_list_intro_whose_items_are_left_out(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "几家单位可以联合起来一起申报吗？", [P(sources, M, "第十一条")])
    assert "由依托单位或联合体负责" in ans.text
    assert "主要职责包括：”" not in ans.text, ans.text
    assert all(not c.quote.endswith("：") for c in ans.citations)
    assert_grounded(ans, corpus_docs)


def test_a_list_intro_that_is_itself_the_answer_stays(gen, lexicon, sources, corpus_docs):
    ans = answer(gen, lexicon, "科研成果那块列了好几条，得占几条才行？", [P(sources, M, "第十二条（四）")])
    assert "需具备以下条件的任意三项：" in ans.text
    assert_grounded(ans, corpus_docs)


def test_a_list_is_not_headed_by_its_sections_bare_title(gen, lexicon, sources, corpus_docs):
    focus = P(sources, G, "二、主要任务 > （四）聚焦研究重点")
    ans = answer(gen, lexicon, "指导意见提出了哪几个研究重点？", [focus])
    assert "质量政策体系研究" in ans.text and "新型产品安全问题研究" in ans.text
    assert "“(四)聚焦研究重点。”" not in ans.text, ans.text
    assert all("质量政策体系研究" in c.quote for c in ans.citations if c.locator == focus.locator)
    assert_grounded(ans, corpus_docs)


def test_raising_the_money_oneself_is_zichou(gen, lexicon, sources, corpus_docs):
    ps = [P(sources, M, "第二十八条"), P(sources, G, "三、保障措施 > （二）强化政策激励"), P(sources, M, "第十二条（五）")]
    ans = answer(gen, lexicon, "实验室经费是国家给还是自己筹？评上优秀以后有没有支持？", ps)
    assert "自筹解决" in ans.text and "扶助支持" in ans.text
    assert "第十二条（五）" not in {c.locator for c in ans.citations}, ans.text
    assert_grounded(ans, corpus_docs)


def test_who_manages_it_is_who_is_responsible(gen, lexicon, sources, corpus_docs):
    assert any("负责" in g.variants for g in lexicon.term_groups("这块牌子是哪个部委在管？"))
    ps = [P(sources, M, "第九条"), P(sources, M, "第十九条"), P(sources, M, "第八条")]
    ans = answer(gen, lexicon, "这块牌子是哪个部委在管？", ps)
    assert {c.locator for c in ans.citations} == {"第八条"}, ans.text
    assert_grounded(ans, corpus_docs)


def test_the_applicants_own_organisation_is_the_host_unit(gen, lexicon, sources, corpus_docs):
    groups = {g.source: g for g in lexicon.term_groups("实验室的方向和我们学校的主攻方向不太一致，会有影响吗？")}
    assert "依托单位" in groups["学校"].variants
    # A school named as a kind of applicant is not the applicant's own.
    assert "依托单位" not in {g.source: g for g in lexicon.term_groups("学校可以申报吗？")}["学校"].variants
    ps = [P(sources, M, "第十二条（五）"), P(sources, M, "第二十条"), P(sources, M, "第二十四条"), P(sources, M, "第十五条")]
    ans = answer(gen, lexicon, "实验室的方向和我们学校的主攻方向不太一致，会有影响吗？", ps)
    assert "重点发展方向之一" in ans.text, ans.text
    assert {c.locator for c in ans.citations} == {"第十二条（五）"}
    assert_grounded(ans, corpus_docs)
