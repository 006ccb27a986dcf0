"""The parser: golden outlines of the five documents, known answers from the 管理办法 and the
others, synthetic documents for the rules (references are not headings, bracket widths), and
property tests on generated documents."""

from __future__ import annotations

import json
import re

import cn2an
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.corpus import load_catalog, walk
from assistant.corpus.cleaning import clean_text
from assistant.corpus.parsing import parse_document
from assistant.numbers import article_label, to_int
from assistant.settings import ROOT
from assistant.types import DocumentMeta
from update_golden import GOLDEN_DIR, outline

CORPUS_DIR = ROOT / "corpus"
DOC_IDS = tuple(m.id for m in load_catalog(CORPUS_DIR))
CN = [cn2an.an2cn(n) for n in range(0, 41)]


def meta(doc_id: str = "synthetic", **kw) -> DocumentMeta:
    return DocumentMeta(
        id=doc_id, title="合成文件", short_title="《合成文件》", date="2024-01-01", status="in_force",
        kind="测试", source_file=f"{doc_id}.txt", **kw,
    )


def nodes(doc, kind: str):
    return [n for n in walk(doc.root) if n.kind == kind]


def find(doc, locator: str):
    hits = [n for n in walk(doc.root) if n.locator == locator]
    assert len(hits) == 1, f"{locator!r}: {len(hits)} nodes"
    return hits[0]


# -- golden files ------------------------------------------------------------------------------

@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_outline_matches_golden_file(doc_id, docs_by_id):
    golden = json.loads((GOLDEN_DIR / f"{doc_id}.json").read_text(encoding="utf-8"))
    assert golden["doc_id"] == doc_id
    got = outline(docs_by_id[doc_id])
    # compare node by node first, so a failure names the first node that moved
    for i, (g, n) in enumerate(zip(golden["nodes"], got)):
        assert n == g, f"{doc_id} node {i} differs (run tests/update_golden.py if the change is intended)"
    assert len(got) == len(golden["nodes"])


def test_every_document_has_a_golden_file():
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == sorted(DOC_IDS)


# -- offsets: every node is a verbatim span -----------------------------------------------------

@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_section_is_the_span_of_its_offsets(doc_id, docs_by_id):
    doc = docs_by_id[doc_id]
    for node in walk(doc.root):
        assert node.text == doc.text[node.start:node.end], node.locator
        assert node.doc_id == doc_id
        for child in node.children:
            assert node.start <= child.start <= child.end <= node.end, (node.locator, child.locator)
        for a, b in zip(node.children, node.children[1:]):
            assert a.end <= b.start, (a.locator, b.locator)


# -- the 管理办法 -------------------------------------------------------------------------------

def test_measures_has_8_chapters_and_33_articles_in_order(docs_by_id):
    doc = docs_by_id["nqsl-measures-2023"]
    chapters = nodes(doc, "chapter")
    assert [c.label for c in chapters] == [f"第{CN[n]}章" for n in range(1, 9)]
    assert [c.title for c in chapters] == ["总则", "管理", "条件", "申报", "建设", "运行", "评估", "附则"]
    articles = nodes(doc, "article")
    assert [a.label for a in articles] == [article_label(n) for n in range(1, 34)]
    assert article_label(33) == "第三十三条"
    for a in articles:
        assert a.text.startswith(a.label), a.label
        assert a.locator == a.label
        assert not re.search(r"(?m)^第[一二三四五六七八九十]+[章条]", a.text[len(a.label):]), a.label


@pytest.mark.parametrize(
    "label, chapter, words",
    [
        ("第一条", "第一章 总则", "为了提升产业质量竞争力"),
        ("第九条", "第二章 管理", "人数为不低于15人的单数"),
        ("第十二条", "第三章 条件", "已运行两年以上的省部级实验室原则上优先推荐"),
        ("第十三条", "第四章 申报", "本着自愿的原则"),
        ("第十八条", "第五章 建设", "建设期限一般不超过2年"),
        ("第十八条", "第五章 建设", "延长期限最长为1年"),
        ("第二十七条", "第七章 评估", "优秀、合格、不合格3类"),
        ("第三十一条", "第八章 附则", "State Quality & Standards Laboratory"),
        ("第三十三条", "第八章 附则", "本办法自发布之日起施行"),
    ],
)
def test_article_holds_its_own_text(label, chapter, words, docs_by_id):
    art = find(docs_by_id["nqsl-measures-2023"], label)
    assert words in art.text
    assert art.path == [chapter, label]


def test_article_13_is_found_behind_the_bookmark(docs_by_id):
    raw_line = "[bookmark: _GoBack]第十三条"
    assert raw_line in (CORPUS_DIR / "raw" / "nqsl-measures-2023.txt").read_text(encoding="utf-8")
    art = find(docs_by_id["nqsl-measures-2023"], "第十三条")
    assert art.text.startswith("第十三条")
    assert art.text[4:].strip().startswith("国家质量标准实验室申报本着自愿的原则")  # after an en space
    assert "bookmark" not in docs_by_id["nqsl-measures-2023"].text


def test_article_12_sections_and_items(docs_by_id):
    doc = docs_by_id["nqsl-measures-2023"]
    art = find(doc, "第十二条")
    assert [s.label for s in art.children] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert [s.title for s in art.children] == ["设施条件", "学术团队", "研究能力", "科研成果", "保障措施"]
    by_label = {s.label: s for s in art.children}
    assert [i.label for i in by_label["（三）"].children] == ["1.", "2.", "3."]
    assert [i.label for i in by_label["（四）"].children] == ["1.", "2.", "3.", "4.", "5."]
    assert [i.locator for i in by_label["（四）"].children] == [f"第十二条（四）{n}" for n in range(1, 6)]
    assert by_label["（一）"].children == [] and by_label["（五）"].children == []
    item = find(doc, "第十二条（四）4")
    assert item.text == "4. 近3年累计转化科技成果15项以上，或本领域内提供质量技术服务金额不低于3000万元。"
    assert item.path == ["第三章 条件", "第十二条", "（四）科研成果", "4."]
    assert "原则上面积在3000 平方米以上" in find(doc, "第十二条（一）").text


def test_measures_notice_is_the_preamble(docs_by_id):
    doc = docs_by_id["nqsl-measures-2023"]
    first = doc.root.children[0]
    assert first.kind == "preamble" and first.locator == "印发通知"
    assert "国市监质发〔2023〕92号" in first.text
    assert not first.text.count("第一条")


# -- the outline documents ----------------------------------------------------------------------

def test_outline_excerpt_starting_at_section_two(docs_by_id):
    doc = docs_by_id["quality-power-outline-2023"]
    first = [n for n in doc.root.children if n.kind != "preamble"][0]
    assert (first.kind, first.label, first.title, first.locator) == ("section", "（二）", "主要目标", "（二）主要目标")
    parts = nodes(doc, "part")
    assert [p.label for p in parts] == [f"{CN[n]}、" for n in range(3, 10)]
    assert [b.label for b in nodes(doc, "box")] == [f"专栏{n}" for n in range(1, 7)]
    box6 = find(doc, "九、构建高水平质量基础设施 > 专栏6 质量基础设施升级增效工程")
    assert "国家级质量标准实验室" in box6.text
    sections = [s.label for s in nodes(doc, "section")]
    assert sections == [f"（{CN[n]}）" for n in range(2, 25)]


@pytest.mark.parametrize(
    "doc_id, locator, words",
    [
        ("nqsl-guidance-2022", "二、主要任务 > （四）聚焦研究重点 > 3. 质量共性技术研究", "在高端制造、新材料"),
        ("nqsl-guidance-2022", "三、保障措施 > （三）加强考核验收", "加强考核验收"),
        ("qi-supply-chain-2024", "一、总体要求 > （三）行动目标", "遴选建设国家质量标准实验室10家"),
        ("qi-supply-chain-2024", "五、着力推动联动机制建设 > （十七）深化质量基础设施资源集成服务机制", "物理分散、逻辑集中"),
        ("liaoning-qi-plan-draft-2022", "二、重点任务 > （四）检验检测领域建设 > 10. 加强检验检测能力建设", "10.加强检验检测能力建设"),
        ("liaoning-qi-plan-draft-2022", "四、组织保障 > （三）加强宣传,总结成效", "吸引更多企业、人才落户辽宁"),
    ],
)
def test_outline_locators(doc_id, locator, words, docs_by_id):
    assert words in find(docs_by_id[doc_id], locator).text


def test_half_width_brackets_in_the_documents_print_full_width(docs_by_id):
    doc = docs_by_id["nqsl-guidance-2022"]
    sec = find(doc, "二、主要任务 > （一）科学规划布局")
    assert sec.text.startswith("(一)科学规划布局")  # printed half-width in the source
    assert sec.label == "（一）"


def test_liaoning_notice_lines_are_not_parts(docs_by_id):
    doc = docs_by_id["liaoning-qi-plan-draft-2022"]
    parts = nodes(doc, "part")
    assert [p.locator for p in parts] == ["一、总体要求", "二、重点任务", "三、政策资金保障措施", "四、组织保障"]
    preamble = doc.root.children[0]
    assert preamble.kind == "preamble"
    assert "一、通过电子邮件发送至" in preamble.text and "二、通过信函邮寄至" in preamble.text
    assert not any(n.text.startswith(("一、通过电子邮件", "二、通过信函")) for n in walk(doc.root) if n.kind != "preamble"
                   and n.kind != "document")


def test_liaoning_items_count_on_across_sections(docs_by_id):
    doc = docs_by_id["liaoning-qi-plan-draft-2022"]
    tasks = find(doc, "二、重点任务")
    items = [i.label for s in tasks.children for i in s.children]
    assert items == [f"{n}." for n in range(1, 17)]


def test_liaoning_notice_preamble_is_located_as_the_notice(docs_by_id):
    doc = docs_by_id["liaoning-qi-plan-draft-2022"]
    preamble = doc.root.children[0]
    assert preamble.locator == "征求意见公告"
    assert doc.text.startswith("辽宁省质量强省工作领导小组办公室关于对《辽宁省质量基础设施建设实施方案》公开征求意见的公告\n")


# -- synthetic documents: the rules -------------------------------------------------------------

def test_references_inside_sentences_are_not_headings():
    text = "\n".join([
        "第一章 总则",
        "第一条 为了规范管理，制定本办法。",
        "依照第十二条规定的条件，申报单位应当提交材料。",
        "第二条 本办法适用于国家质量标准实验室。",
        "第五条规定的材料，由推荐单位审核。",
        "第三条 申报单位应当对材料的真实性负责，参照第二条执行。",
        "第二章 申报",
        "第四条 申报按照第十二条规定进行。",
    ]) + "\n"
    doc = parse_document(meta(), text)
    arts = nodes(doc, "article")
    assert [a.label for a in arts] == ["第一条", "第二条", "第三条", "第四条"]
    assert "依照第十二条规定的条件" in arts[0].text
    assert arts[1].text == "第二条 本办法适用于国家质量标准实验室。\n第五条规定的材料，由推荐单位审核。"
    assert [c.label for c in nodes(doc, "chapter")] == ["第一章", "第二章"]
    for node in walk(doc.root):
        assert node.text == text[node.start:node.end]


@pytest.mark.parametrize("open_, close", [("(", ")"), ("（", "）"), ("(", "）"), ("（", ")")])
def test_half_and_full_width_brackets_both_parse(open_, close):
    text = "\n".join([
        "第一条 申报须满足下列条件：",
        f"{open_}一{close}设施条件。具备良好的条件。",
        f"{open_}二{close}研究能力。具有研究基础：",
        "1. 近5年承担项目。",
        "2. 具有权威性。",
        "第二条 本办法自发布之日起施行。",
    ]) + "\n"
    doc = parse_document(meta(), text)
    assert [n.locator for n in walk(doc.root) if n.kind != "document"] == [
        "第一条", "第一条（一）", "第一条（二）", "第一条（二）1", "第一条（二）2", "第二条"]
    assert find(doc, "第一条（一）").title == "设施条件"


def test_outline_style_with_both_bracket_widths():
    text = "\n".join([
        "一、总体要求",
        "(一)指导思想",
        "坚持质量第一。",
        "（二）基本原则",
        "坚持系统观念。",
        "二、主要任务",
        "（一）科学规划布局。面向国家重大战略任务。",
        "1. 质量政策体系研究。开展研究。",
        "2. 质量基础研究。开展研究。",
    ]) + "\n"
    doc = parse_document(meta(), text)
    assert [n.locator for n in walk(doc.root) if n.kind != "document"] == [
        "一、总体要求",
        "一、总体要求 > （一）指导思想",
        "一、总体要求 > （二）基本原则",
        "二、主要任务",
        "二、主要任务 > （一）科学规划布局",
        "二、主要任务 > （一）科学规划布局 > 1. 质量政策体系研究",
        "二、主要任务 > （一）科学规划布局 > 2. 质量基础研究",
    ]
    assert [i.title for i in nodes(doc, "item")] == ["质量政策体系研究", "质量基础研究"]
    assert [s.label for s in nodes(doc, "section")] == ["（一）", "（二）", "（一）"]


def test_a_sentence_numbered_like_a_part_is_not_a_part():
    text = "\n".join([
        "公众可通过以下途径提出意见。",
        "一、通过电子邮件发送至邮箱,邮件主题请注明意见。",
        "二、通过信函邮寄至质量发展处。",
        "一、总体要求",
        "坚持质量第一。",
        "二、重点任务",
        "推进建设。",
    ]) + "\n"
    doc = parse_document(meta(), text)
    assert [p.locator for p in nodes(doc, "part")] == ["一、总体要求", "二、重点任务"]
    assert doc.root.children[0].kind == "preamble"
    assert "二、通过信函邮寄至质量发展处。" in doc.root.children[0].text


@pytest.mark.parametrize("numeral, n", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十三", 33), ("12", 12), ("①", 1), ("⑫", 12)])
def test_numerals(numeral, n):
    assert to_int(numeral) == n


# -- properties ---------------------------------------------------------------------------------

# body text that cannot open a heading: no 第, no numerals, no brackets, no digits
BODY = st.text(alphabet="质量标准实验室建设管理申报依托单位推荐条件应当开展研究，、的和与", min_size=1, max_size=50).map(
    lambda s: s + "。")
REFERENCE = st.integers(1, 60).map(lambda k: f"依照{article_label(k)}规定办理。")


@st.composite
def article_documents(draw):
    """(text, n_articles, sections per article) of a generated 管理办法-like document."""
    n = draw(st.integers(1, 40))
    chapter_every = draw(st.integers(3, 12))
    lines, sections = [], []
    chapter = 0
    for k in range(1, n + 1):
        if (k - 1) % chapter_every == 0:
            chapter += 1
            lines.append(f"第{cn2an.an2cn(chapter)}章 第{chapter}部分")
        lines.append(f"{article_label(k)} {draw(BODY)}")
        lines.extend(draw(st.lists(st.one_of(BODY, REFERENCE), max_size=2)))
        # a line opening with a reference to an article out of sequence (第五条规定的…) stays body text
        if draw(st.booleans()):
            other = draw(st.integers(2, 60).filter(lambda x, k=k: x != k + 1))
            lines.append(f"{article_label(other)}规定的材料由推荐单位审核。")
        m = draw(st.integers(0, 4))
        for j in range(1, m + 1):
            o, c = draw(st.sampled_from([("(", ")"), ("（", "）")]))
            lines.append(f"{o}{cn2an.an2cn(j)}{c}{draw(BODY)}")
        sections.append(m)
    return "\n".join(lines) + "\n", n, sections


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_documents())
def test_generated_articles_parse_exactly(case):
    text, n, sections = case
    doc = parse_document(meta(), text)
    arts = nodes(doc, "article")
    assert [a.label for a in arts] == [article_label(k) for k in range(1, n + 1)]
    assert [len(a.children) for a in arts] == sections
    for a in arts:
        wanted = [f"{a.label}（{cn2an.an2cn(j)}）" for j in range(1, len(a.children) + 1)]
        assert [s.locator for s in a.children] == wanted
    for node in walk(doc.root):
        assert node.text == text[node.start:node.end]
        for x, y in zip(node.children, node.children[1:]):
            assert x.end <= y.start
    # the articles together hold every line but the chapter headings: nothing is lost between them
    assert "".join(a.text + "\n" for a in arts) == "".join(
        line + "\n" for line in text.split("\n")[:-1] if not line.startswith("第") or "条" in line[:6]
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_documents())
def test_cleaning_then_parsing_keeps_every_article(case):
    text, n, _ = case
    raw = "\n\n".join("  " + line for line in text.split("\n"))  # blank lines and indentation, as received
    doc = parse_document(meta(), clean_text(raw, meta()))
    assert [a.label for a in nodes(doc, "article")] == [article_label(k) for k in range(1, n + 1)]
