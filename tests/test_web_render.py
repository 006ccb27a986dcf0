"""Rendering of answers, eligibility reports and articles: known-answer examples on the real
documents, escaping of anything that comes from users or documents, and quote highlighting."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from assistant.corpus import load_corpus, walk
from assistant.settings import Settings
from assistant.types import Answer, Citation
from assistant.web.forms import figure_errors, read_form
from assistant.web.render import (
    answer_html,
    eligibility_html,
    enclosing_article,
    find_quote,
    highlighted,
    tree_html,
)


@pytest.fixture(scope="module")
def docs():
    return {d.meta.id: d for d in load_corpus(Settings().corpus_dir)}


def _node(doc, locator):
    return next(n for n in walk(doc.root) if n.locator == locator)


def test_find_quote_ignores_whitespace_differences():
    text = "现有科研用房相对集中，原则上面积在3000 平方米以上，仪器设备现值5000万元以上"
    assert find_quote(text, "仪器设备现值5000万元以上") == (text.index("仪器"), len(text))
    s, e = find_quote(text, "面积在3000平方米以上")  # the quote joined what the text spaced
    assert text[s:e] == "面积在3000 平方米以上"
    assert find_quote(text, "不存在的话") is None
    assert find_quote(text, "   ") is None


def test_highlight_marks_the_span_and_escapes_the_rest():
    out, found = highlighted("第一条 <b>定义</b>\n第二条 适用范围", "适用范围")
    assert found
    assert "&lt;b&gt;定义&lt;/b&gt;" in out and "<b>" not in out
    assert '<mark class="qsl-hl" id="qsl-hl">适用范围</mark>' in out
    assert "<br>" in out
    out, found = highlighted("正文", "别处的话")
    assert not found and "<mark" not in out


def test_cited_item_opens_its_whole_article(docs):
    d = docs["nqsl-measures-2023"]
    item = _node(d, "第十二条（四）3")
    art = enclosing_article(d, item)
    assert art.kind == "article" and art.locator == "第十二条"
    assert item.text in art.text
    assert enclosing_article(d, _node(d, "第十条")).locator == "第十条"


def test_document_without_articles_opens_the_numbered_section(docs):
    d = docs["nqsl-guidance-2022"]
    item = next(n for n in walk(d.root) if n.kind == "item")
    sec = enclosing_article(d, item)
    assert sec.kind in {"section", "part"} and item.text in sec.text


def _answer(**kw):
    c = Citation(doc_id="nqsl-measures-2023", doc_title="《国家质量标准实验室管理办法》", locator="第十条",
                 quote="由其主管部门负责推荐", text="第十条 …由其主管部门负责推荐。", marker=1)
    return Answer(text=kw.pop("text", "中央级单位由其主管部门负责推荐。[1]"), citations=kw.pop("citations", [c]), **kw)


def test_answer_fragment_has_text_cards_and_copy_on_one_line():
    html = answer_html(_answer())
    assert "\n" not in html  # the chat's markdown pass would split an HTML block at a blank line
    assert '<sup class="qsl-ref">[1]</sup>' in html
    [href] = re.findall(r'class="qsl-cite" href="([^"]+)"', html)
    q = parse_qs(urlparse(href.replace("&amp;", "&")).query)
    assert q == {"doc": ["nqsl-measures-2023"], "locator": ["第十条"], "quote": ["由其主管部门负责推荐"]}
    assert "《国家质量标准实验室管理办法》" in html and "第十条" in html
    assert 'class="qsl-copy"' in html


def test_markup_in_answers_and_quotes_is_escaped():
    evil = Citation(doc_id="x", doc_title="<img src=x onerror=alert(1)>", locator="<script>",
                    quote='"><script>alert(1)</script>', text="t")
    html = answer_html(_answer(text="<script>alert('x')</script> **要点**", citations=[evil]))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>要点</strong>" in html  # markdown emphasis still renders


def test_draft_documents_are_labelled_on_their_card():
    c = Citation(doc_id="liaoning-qi-plan-draft-2022", doc_title="辽宁省质量基础设施建设方案（征求意见稿）",
                 locator="三、", quote="建设", text="建设", status="draft_for_comment")
    assert "征求意见稿" in answer_html(_answer(citations=[c]))


REPORT = {
    "language": "zh",
    "overall": "not_eligible",
    "overall_detail": "科研用房面积不足。",
    "criteria": [
        {"id": "area", "title": "科研用房面积", "status": "not_met", "detail": "科研用房面积2200平方米，未达到3000平方米。",
         "gaps": [{"text": "还差800平方米"}],
         "citation": {"doc_id": "nqsl-measures-2023", "doc_title": "国家质量标准实验室管理办法",
                      "locator": "第十二条（一）", "quote": "原则上面积在3000 平方米以上", "text": "…"}},
        {"id": "equipment", "title": "仪器设备现值", "status": "met", "detail": "达到5000万元。", "citation": None},
        {"id": "team", "title": "学术团队", "status": "needs_review", "detail": "由专家评审认定。"},
        {"id": "projects", "title": "近5年国家级科研项目", "status": "unknown", "detail": "未提供。"},
    ],
    "channel": {"affiliation": "local", "detail": "地方单位，由省级市场监管部门、省级工业和信息化部门联合推荐（第十条）。"},
    "priority": {"applies": None, "detail": "未说明实验室级别。"},
    "next_steps": ["补充近5年国家级科研项目数。"],
    "warnings": ["设备原值不计入，只计现值。"],
}


def test_eligibility_table_has_a_status_per_condition_with_its_clause():
    html = eligibility_html(REPORT, "zh")
    rows = re.findall(r"<tr class=\"qsl-row-(\w+)\">(.*?)</tr>", html)
    assert [s for s, _ in rows] == ["not_met", "met", "needs_review", "unknown"]
    assert "不符合" in rows[0][1] and "还差800平方米" in rows[0][1] and "第十二条（一）" in rows[0][1]
    assert "/article?doc=nqsl-measures-2023" in rows[0][1]
    for word in ("暂不符合申报条件", "省级市场监管部门", "未说明实验室级别", "补充近5年国家级科研项目数", "设备原值不计入"):
        assert word in html
    assert "{" not in html and "None" not in html  # no raw JSON or Python reprs leak into the page


def test_eligibility_table_in_english():
    html = eligibility_html(REPORT, "en")
    assert "Not met" in html and "Expert review" in html and "Recommendation channel" in html


def test_tree_lists_chapters_and_articles(docs):
    html = tree_html(docs["nqsl-measures-2023"])
    assert "第三章" in html and "第十二条" in html and "第三十三条" in html
    assert html.count('class="qsl-tree-link"') >= 33 + 8


@pytest.mark.parametrize(
    ("values", "lang", "expect"),
    [
        ({"area_m2": -1.0}, "zh", "不能为负数"),
        ({"area_m2": -1.0}, "en", "cannot be negative"),
        ({"projects_count": 3.5}, "zh", "应为整数"),
        ({"area_m2": 0.0, "projects_count": 15, "years_running": 2.5}, "zh", None),
        ({"area_m2": None}, "zh", None),
    ],
)
def test_form_figure_checks(values, lang, expect):
    errors = figure_errors(values, lang)
    assert (expect is None and errors == []) or (expect is not None and expect in " ".join(errors))


def test_form_reads_text_fields_empty_stays_not_given():
    values, errors = read_form({"area_m2": "４２００", "equipment_wan": "6,800", "projects_count": " ",
                                "standards_3y": None}, "zh")
    assert errors == []
    assert values["area_m2"] == 4200 and values["equipment_wan"] == 6800
    assert values["projects_count"] is None and values["standards_3y"] is None
    _, errors = read_form({"area_m2": "四千", "transfers_3y": "-2"}, "zh")
    assert any("请填写数字" in e for e in errors) and any("不能为负数" in e for e in errors)


def test_many_citations_fold_after_the_first_few_in_marker_order():
    cits = [Citation(doc_id="nqsl-measures-2023", doc_title="《国家质量标准实验室管理办法》", locator=f"第{n}条",
                     quote=f"引文{n}", text="t", marker=m) for n, m in zip("一二三四五六", (6, 2, 1, 5, 4, 3))]
    html = answer_html(_answer(citations=cits))
    visible, folded = html.split('<details class="qsl-more">')
    assert re.findall(r'qsl-cite-n">(\d+)<', visible) == ["1", "2", "3", "4"]
    assert re.findall(r'qsl-cite-n">(\d+)<', folded) == ["5", "6"]
    assert "展开其余 2 条出处" in folded
