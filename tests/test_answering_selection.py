"""Passage and sentence selection of the extractive answer, and how its citations are listed.

Real parsed documents, real lexicon; the passages are handed in (no index needed). Each test names
the behaviour: figures that only name things (5部门) are not the figure asked; a sentence of the
lead passage may answer without sharing words; 好几 does not ask; the second part of a question
brings its own article; a 2022 wording is noted only when it adds to the answer; a passage is
cited once however many quotes the text takes from it; periods match in either numeral form.
"""

from __future__ import annotations

import pytest

from assistant.answering.extractive import ExtractiveGenerator, _FIGURE, _figures_only
from assistant.answering.lexicon import Lexicon, TermGroup
from assistant.answering.question import analyse, count_parts
from assistant.corpus import load_corpus
from assistant.corpus.sources import Sources
from assistant.settings import Settings

M = "nqsl-measures-2023"
G = "nqsl-guidance-2022"
S = "qi-supply-chain-2024"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(Settings().corpus_dir)


@pytest.fixture(scope="module")
def sources(corpus):
    return Sources(corpus)


@pytest.fixture(scope="module")
def lexicon(sources):
    return Lexicon.from_texts(sources.texts())


@pytest.fixture(scope="module")
def gen(sources):
    return ExtractiveGenerator(sources)


def P(sources, doc_id, locator):
    p = sources.section(doc_id, locator)
    assert p is not None, locator
    return p


def answer(gen, lexicon, question, passages):
    return gen.answer(analyse(question, lexicon), passages)


def assert_grounded(ans, corpus):
    texts = {d.meta.id: "".join(d.text.split()) for d in corpus}
    assert ans.citations
    for c in ans.citations:
        assert "".join(c.quote.split()) in texts[c.doc_id]
        assert c.quote in c.text
        assert f"[{c.marker}]" in ans.text


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


def test_news_lead_that_only_mentions_data_does_not_answer_a_count(gen, lexicon, sources, corpus):
    lead = P(sources, S, "导语")
    goals = P(sources, S, "一、总体要求 > （三）行动目标")
    ans = answer(gen, lexicon, "五部门文件到2025年底打算新增多少名首席质量官？", [lead, goals])
    assert "1万名以上" in ans.text
    assert {c.locator for c in ans.citations} == {goals.locator}
    assert_grounded(ans, corpus)


def test_sentence_of_the_lead_passage_gives_the_count_without_sharing_words(gen, lexicon, sources, corpus):
    ans = answer(gen, lexicon, "科研成果这一项列的条件，要满足几条才行？", [P(sources, M, "第十二条（四）"), P(sources, M, "第三条")])
    assert "任意三项" in ans.text
    assert_grounded(ans, corpus)


def test_hao_ji_states_rather_than_asks():
    assert count_parts("科研成果那块列了好几条，得占几条才行？", "zh") == 1
    assert count_parts("建设期一般几年？到期最多能延长多久？", "zh") == 2


# -- parts of a question ----------------------------------------------------------------------
def test_second_question_brings_its_own_article(gen, lexicon, sources, corpus):
    ans = answer(gen, lexicon, "这个办法由谁解释？从哪天起施行？",
                 [P(sources, M, "第三十二条"), P(sources, M, "第三十三条"), P(sources, M, "第八条")])
    assert "负责解释" in ans.text and "自发布之日起施行" in ans.text
    assert {c.locator for c in ans.citations} == {"第三十二条", "第三十三条"}
    assert_grounded(ans, corpus)


def test_two_things_asked_fenbie_are_both_answered(gen, lexicon, sources, corpus):
    # 学术委员会主任 holds 主任 too; only 第十四条 names 实验室主任 in the question's own words.
    ans = answer(gen, lexicon, "学术委员会主任和实验室主任分别要找什么样的人来当？",
                 [P(sources, M, "第十五条"), P(sources, M, "第十四条"), P(sources, M, "第九条")])
    assert "非依托单位人员" in ans.text and "高层领导" in ans.text
    assert "第九条" not in {c.locator for c in ans.citations}
    assert_grounded(ans, corpus)


# -- version notes ----------------------------------------------------------------------------
def test_no_version_note_when_the_2023_rule_already_answers(gen, lexicon, sources, corpus):
    ans = answer(gen, lexicon, "综合评价没通过的实验室会被怎么处理？",
                 [P(sources, M, "第二十七条"), P(sources, G, "三、保障措施 > （三）加强考核验收")])
    assert "不再列入国家质量标准实验室序列" in ans.text
    assert "版本说明" not in ans.text
    assert {c.doc_id for c in ans.citations} == {M}
    assert_grounded(ans, corpus)


def test_version_note_still_given_when_the_question_asks_which_rule_applies(gen, lexicon, sources, corpus):
    ans = answer(gen, lexicon, "整改不到位会被取消资格吗？现在以哪个规定为准？",
                 [P(sources, M, "第二十七条"), P(sources, G, "三、保障措施 > （三）加强考核验收")])
    assert "版本说明" in ans.text and "取消其资格" in ans.text
    assert_grounded(ans, corpus)


# -- citations --------------------------------------------------------------------------------
def test_each_passage_is_cited_once_with_a_verbatim_quote_spanning_its_quotes(gen, lexicon, sources, corpus):
    goals = P(sources, S, "一、总体要求 > （三）行动目标")
    ans = answer(gen, lexicon, "五部门文件到2025年底打算新增多少名首席质量官？", [goals])
    assert "……" in ans.text  # two quotes from the one passage
    markers = [c.marker for c in ans.citations]
    assert len(markers) == len(set(markers)) == 1
    c = ans.citations[0]
    assert "1万名以上" in c.quote and c.quote.startswith("为支撑行动目标实现")
    assert_grounded(ans, corpus)


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


def test_a_text_naming_both_things_asked_about_separately_does_not_stand_for_each(gen, lexicon, sources, corpus):
    # 第二十八条 names both departments together; 第二十九条 / 第三十条 say what each one does.
    ps = [P(sources, M, "第二十八条"), P(sources, M, "第三十条"), P(sources, M, "第二十九条"), P(sources, M, "第八条")]
    ans = answer(gen, lexicon, "实验室正式运行后，市场监管总局和工业和信息化部分别提供哪些方面的支持？", ps)
    locs = {c.locator for c in ans.citations}
    assert {"第二十九条", "第三十条"} <= locs, ans.text
    assert "第八条" not in locs
    assert_grounded(ans, corpus)


def test_three_parts_bring_three_articles(gen, lexicon, sources, corpus):
    ps = [P(sources, M, "第十五条"), P(sources, M, "第十条"), P(sources, M, "第十四条"), P(sources, M, "第十一条")]
    ans = answer(gen, lexicon, "实验室主任和学术委员会主任分别由谁推荐、由什么人担任？", ps)
    locs = {c.locator for c in ans.citations}
    assert {"第十四条", "第十五条", "第十一条"} <= locs, ans.text
    assert "依托单位的高层领导" in ans.text and "非依托单位人员" in ans.text


def test_a_part_naming_a_document_is_answered_from_that_document(gen, lexicon, sources, corpus):
    # 第一条 and the covering notice mention the 纲要 by name; only the 纲要 itself says what it lays down.
    outline = P(sources, "quality-power-outline-2023", "九、构建高水平质量基础设施 > 专栏6 质量基础设施升级增效工程")
    ps = [P(sources, M, "第一条"), P(sources, M, "印发通知"), P(sources, M, "第二条"), outline]
    ans = answer(gen, lexicon, "质量强国建设纲要对国家级质量标准实验室有什么部署？管理办法是怎么承接的？", ps)
    assert any(c.doc_id == "quality-power-outline-2023" for c in ans.citations), ans.text
    assert "建设一批高水平国家级质量标准实验室" in ans.text
    assert_grounded(ans, corpus)


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
