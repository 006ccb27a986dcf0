"""The one numeral reader (assistant.numbers), the one sentence splitter (assistant.sentences) and
the one question analysis (assistant.question), on the kinds of text applicants and the documents
write: Chinese numerals, money and area with scales, ordinals that are not quantities, list items,
article references in three spellings, multi-part questions and the asked kind."""

from __future__ import annotations

import pytest

from assistant.numbers import article_label, forms, has_quantity, parse_number, quantities, to_int
from assistant.question import AsksModel, QuestionReader, article_refs, split_parts
from assistant.sentences import clauses, split_units
from assistant.vocabulary import Vocab


@pytest.mark.parametrize("text, value, unit", [
    ("两年", 2, "年"), ("三个月内", 3, "月"), ("十五项", 15, "项"), ("半年", 0.5, "年"),
    ("不低于15人", 15, "人"), ("300平米", 300, "平方米"), ("1.5万平方米", 15000, "平方米"),
    ("5000万元", 5000, "万元"), ("一点五亿元", 1.5e8, "元"), ("6个月", 6, "月"),
    ("2 years", 2, "年"), ("five projects", 5, "项"),
])
def test_quantities_in_any_numerals(text, value, unit):
    (q,) = quantities(text)
    assert (q.value, q.unit) == (value, unit)
    assert has_quantity(text)


def test_money_and_headcount_compare_in_one_unit():
    (a,), (b,) = quantities("500万块"), quantities("5000000元")
    assert a.base() == b.base() == (5e6, "元")
    (c,), (d,) = quantities("15名"), quantities("15人")
    assert c.base() == d.base()


@pytest.mark.parametrize("text", ["第十八条", "第（三）项", "（四）", "〔2023〕92号", "Article 18", "专栏6", "那一项",
                                  "第二种", "第3类", "第一档"])
def test_places_in_the_documents_are_not_quantities(text):
    assert quantities(text) == []


def test_calendar_years_are_not_rules():
    assert quantities("到2035年")[0].value == 2035
    assert not has_quantity("到2035年基本建成")
    assert has_quantity("建设期一般不超过2年")


def test_numerals_and_article_labels():
    assert parse_number("十二") == 12 and parse_number("两") == 2 and parse_number("一点五亿") == 1.5e8
    assert parse_number("4,200") == 4200 and parse_number("1.5万") == 15000 and parse_number("abc") is None
    assert to_int("十二") == 12 == to_int("12") and article_label(12) == "第十二条"
    assert set(forms(2, "年")) == {"2年", "两年", "二年"}
    with pytest.raises(ValueError):
        to_int("一点五")


def test_article_references_in_three_spellings():
    refs = article_refs("第12条第（三）项和Article 18，还有第十八条")
    assert [r.locator for r in refs] == ["第十二条（三）", "第十八条"]
    assert [r.locator for r in article_refs("第十二条讲什么")] == ["第十二条"]


def test_units_of_a_list_passage_keep_items_whole():
    text = "第十二条　申报应当具备以下条件：\n（一）具有独立法人资格；\n（二）研究方向明确。设施完善，面积不少于1000平方米；\n（三）人员稳定。"
    units = split_units(text)
    assert [u.kind for u in units] == ["intro", "sentence", "sentence", "sentence"]
    assert [u.item_label for u in units[1:]] == ["（一）", "（二）", "（三）"]
    for u in units:
        assert text[u.start:u.end] == u.text  # offsets are the passage's own
    assert clauses("一是这样，二是那样；三是别的。") == ["一是这样，", "二是那样；", "三是别的。"]


def test_parts_of_a_question():
    assert split_parts("建设期多久？能延期吗？", "zh") == ["建设期多久", "能延期吗"]
    assert split_parts("工信部和市场监管总局分别负责什么？", "zh") == ["工信部负责什么", "市场监管总局负责什么"]
    assert split_parts("专家委员会由多少人组成？", "zh") == ["专家委员会由多少人组成"]


@pytest.fixture(scope="module")
def reader(knowledge, bank):
    return QuestionReader(knowledge.catalog, Vocab(knowledge.vocabulary), AsksModel(bank))


@pytest.mark.parametrize("text, asks", [
    ("专家委员会由多少人组成？", "figure"), ("建设期限是多久？", "duration"),
    ("谁负责推荐中央企业的申报？", "body"), ("申报需要满足哪些条件？", "list"),
    ("How long is the construction period?", "duration"), ("场地要多大", "figure"),
])
def test_the_asked_kind_is_learnt_from_the_bank(reader, text, asks):
    assert reader.read(text).asks == asks


@pytest.mark.parametrize("text, asks", [
    ("评上优秀以后扶助支持能给多少万？", "figure"),  # the topic (扶助支持) is no figure; 多少万 asks one
    ("年度运行报告要在每年几月几号前报送？", "date"),
    ("When exactly do we have to hand in the annual report, on what day?", "date"),
])
def test_question_words_asking_a_quantity_decide_the_kind(reader, text, asks):
    assert reader.read(text).asks == asks


def test_several_in_a_yes_no_question_asks_no_figure(reader):
    assert reader.read("几家单位可以联合申报吗？").asks != "figure"


def test_an_english_question_searches_without_the_documents_name(reader):
    q = reader.read("According to the supply-chain guidance, which organisations should team up?")
    assert q.documents == {"qi-supply-chain-2024"}
    assert "supply" not in q.search_text.lower() and "team up" in q.search_text
    for text in ("纲要里关于标准的要求",  # a Chinese name is a word of the question
                 "How does the 2022 guidance differ from the Measures on funding?"):  # two documents
        assert reader.read(text).search_text == text


@pytest.mark.parametrize("text, lang", [
    ("And SAMR?", "en"), ("Why?", "en"), ("申报SQSL需要什么条件", "zh"), ("What does 依托单位 mean?", "en"),
    ("那SAMR呢", "zh"), ("第十二条", "zh"), ("3000", "zh"),
])
def test_a_message_without_chinese_is_english_however_short(text, lang):
    from assistant.language import detect_language

    assert detect_language(text) == lang


def test_one_analysis_names_documents_articles_and_language(reader):
    q = reader.read("管理办法第12条讲了什么")
    assert q.documents == {"nqsl-measures-2023"} and [a.locator for a in q.articles] == ["第十二条"]
    assert q.language == "zh"
    q = reader.read("What does Article 18 of the measures say?")
    assert q.language == "en" and [a.locator for a in q.articles] == ["第十八条"]
    q = reader.read("专家委员会至少要30人吧？")
    assert [(s.value, s.unit) for s in q.stated] == [(30, "人")]


@pytest.fixture(scope="module")
def comparing_reader(knowledge, bank):
    return QuestionReader(knowledge.catalog, Vocab(knowledge.vocabulary), AsksModel(bank),
                          compare_words=knowledge.versions.compare_words)


@pytest.mark.parametrize("text, compared", [
    ("2022年指导意见和2023年管理办法里，负责评审的机构名称有什么变化？", ["nqsl-measures-2023", "nqsl-guidance-2022"]),
    ("两份文件对实验室的资金支持有什么不同？", ["nqsl-measures-2023", "nqsl-guidance-2022"]),
    ("How did the reviewing body change between the 2022 guidance and the Measures?",
     ["nqsl-measures-2023", "nqsl-guidance-2022"]),
    ("管理办法对实验室的考核有什么规定？", []),  # one text, nothing compared
    ("五部门那个文件和2022年指导意见有什么不同", []),  # neither replaces the other
])
def test_a_comparison_of_two_versions_is_asked_of_each(comparing_reader, text, compared):
    q = comparing_reader.read(text)
    assert q.compared == compared
    if compared:
        assert [comparing_reader.catalog.named_documents(p) for p in q.parts] == [{d} for d in compared]


@pytest.mark.parametrize("text, facts", [
    ("《国家质量标准实验室管理办法》的文号是多少？哪天印发的？", [("nqsl-measures-2023", "number"), ("nqsl-measures-2023", "date")]),
    ("管理办法规定名单由哪个部门发布？", []),  # 名单 is what is asked about
    ("评审结果由谁发布？", []),  # no document named
    ("2022年那份推进国家级质量标准实验室建设的指导意见，文号是什么？", [("nqsl-guidance-2022", "number")]),
])
def test_a_question_asking_only_a_documents_own_facts(reader, text, facts):
    assert reader.read(text).facts == facts
