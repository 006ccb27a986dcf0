"""The corpus: the catalog, and cleaning. Noise of the raw files (a commercial site's chrome around
the 五部门 reprint, newspaper page marks, word-processor bookmarks, the Liaoning page footer and its
truncated duplicate titles, the news lead repeated before the 2022 guidance) must reach neither the
cleaned text nor the index; a paragraph cut by a page break is joined again."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from assistant.corpus import load_catalog, load_corpus
from assistant.corpus.cleaning import clean_text, is_noise_line
from assistant.settings import ROOT

CORPUS_DIR = ROOT / "corpus"
DOC_IDS = ("nqsl-measures-2023", "nqsl-guidance-2022", "qi-supply-chain-2024", "quality-power-outline-2023",
           "liaoning-qi-plan-draft-2022")

# (doc_id, string): each string is in the raw file and is not document text
NOISE = [
    ("qi-supply-chain-2024", "欢迎光临"),
    ("qi-supply-chain-2024", "全国咨询热线"),
    ("qi-supply-chain-2024", "199-3586-9001"),
    ("qi-supply-chain-2024", "19935869001"),
    ("qi-supply-chain-2024", "当前位置"),
    ("qi-supply-chain-2024", "点击:3346次"),
    ("qi-supply-chain-2024", "企业分站"),
    ("qi-supply-chain-2024", "北京 天津 河北 山西 内蒙古 辽宁"),
    ("qi-supply-chain-2024", "更多分站"),
    ("qi-supply-chain-2024", "在线客服"),
    ("qi-supply-chain-2024", "二维码"),
    ("qi-supply-chain-2024", "上班时间"),
    ("qi-supply-chain-2024", "招投标"),
    ("qi-supply-chain-2024", "五部门联手布局一批质量基础设施项目"),  # the site's news headline
    ("qi-supply-chain-2024", "时间:2024-01-30"),
    ("quality-power-outline-2023", "上接01版"),
    ("nqsl-measures-2023", "[bookmark:"),
    ("nqsl-measures-2023", "_GoBack"),
    ("liaoning-qi-plan-draft-2022", "标签:"),
    ("liaoning-qi-plan-draft-2022", "0人觉得有用"),
    ("liaoning-qi-plan-draft-2022", "招标"),
    ("liaoning-qi-plan-draft-2022", "返回首页"),
    ("liaoning-qi-plan-draft-2022", "热门搜索"),
    ("liaoning-qi-plan-draft-2022", "最近搜索"),
    ("liaoning-qi-plan-draft-2022", "关注我们可获得更多采购需求"),
    ("liaoning-qi-plan-draft-2022", "公开..."),  # the truncated duplicate titles
    ("nqsl-guidance-2022", "据工信部网站"),
    ("nqsl-guidance-2022", "全文如下"),
    ("nqsl-guidance-2022", "两部门:到2025年"),  # the news headline
]


def raw_text(doc_id: str) -> str:
    return (CORPUS_DIR / "raw" / f"{doc_id}.txt").read_text(encoding="utf-8")


# -- catalog ------------------------------------------------------------------------------------

def test_catalog_lists_the_five_documents_with_their_fields():
    docs = load_catalog(CORPUS_DIR)
    assert [d.id for d in docs] == list(DOC_IDS)
    for d in docs:
        assert d.title and d.kind and d.issuers, d.id
        assert d.short_title.startswith("《") and d.short_title.endswith("》"), d.id
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", d.date), d.id
        assert (CORPUS_DIR / "raw" / d.source_file).is_file(), d.id
        assert d.aliases, d.id
        assert set(d.supersedes) <= set(DOC_IDS), d.id
    by_id = {d.id: d for d in docs}
    assert {i: d.status for i, d in by_id.items()} == {
        "nqsl-measures-2023": "in_force",
        "nqsl-guidance-2022": "in_force",
        "qi-supply-chain-2024": "reprint",
        "quality-power-outline-2023": "excerpt",
        "liaoning-qi-plan-draft-2022": "draft_for_comment",
    }
    assert by_id["nqsl-measures-2023"].number == "国市监质发〔2023〕92号"
    assert by_id["nqsl-measures-2023"].date == "2023-10-13"
    assert [d.id for d in docs if d.authority_rank == 1] == ["nqsl-measures-2023"]


def test_catalog_entry_without_a_required_field_is_refused(tmp_path):
    catalog = json.loads((CORPUS_DIR / "catalog.json").read_text(encoding="utf-8"))
    del catalog["documents"][0]["status"]
    (tmp_path / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="status"):
        load_catalog(tmp_path)


def test_a_body_start_missing_from_the_text_is_a_clear_error():
    meta = load_catalog(CORPUS_DIR)[0].model_copy(update={"body_start": "这一行并不存在"})
    with pytest.raises(ValueError, match="nqsl-measures-2023.*body_start"):
        clean_text(raw_text("nqsl-measures-2023"), meta)


def test_load_corpus_gives_every_document_cleaned_and_parsed(corpus_docs):
    assert [d.meta.id for d in corpus_docs] == list(DOC_IDS)
    for d in corpus_docs:
        assert d.root.kind == "document" and d.root.text == d.text.rstrip("\n")
        assert d.text.endswith("\n")
        lines = d.text.split("\n")[:-1]
        assert all(line and line == line.strip() for line in lines), d.meta.id  # one paragraph per line


def test_load_corpus_sees_an_edited_file(make_corpus):
    corpus = make_corpus(["nqsl-measures-2023"])
    before = load_corpus(corpus)[0]
    raw = corpus / "raw" / "nqsl-measures-2023.txt"
    raw.write_text(raw.read_text(encoding="utf-8").replace("一般不超过2年", "一般不超过3年"), encoding="utf-8")
    import os

    st = raw.stat()
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))  # a distinct mtime even on coarse clocks
    after = load_corpus(corpus)[0]
    assert "一般不超过2年" in before.text
    assert "一般不超过3年" in after.text and "一般不超过2年" not in after.text


# -- noise --------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc_id, noise", NOISE)
def test_noise_is_in_the_raw_file_but_not_in_the_cleaned_text(doc_id, noise, docs_by_id):
    assert noise in raw_text(doc_id), "the table names noise that the raw file does not hold"
    assert noise not in docs_by_id[doc_id].text


# the 纲要 itself speaks of 招标投标: 招标 is noise only as the Liaoning footer line
DOCUMENT_WORDS = {"招标"}


@pytest.fixture(scope="module")
def indexed(built_index) -> dict[str, list[str]]:
    """Every text the index holds, by document: chunk texts, their embedded context headers, and
    the sentences of the sentence legs."""
    store = built_index.store
    records = store.all_chunks()
    assert len(records) == built_index.report.chunks
    doc_of = {c.id: c.doc_id for c, _ in records}
    out: dict[str, list[str]] = {d: [] for d in DOC_IDS}
    for c, header in records:
        out[c.doc_id] += [c.text, header]
    for chunk_id, sentence in store.all_sentences():
        out[doc_of[chunk_id]].append(sentence)
    return out


@pytest.fixture(scope="module")
def indexed_texts(indexed) -> list[str]:
    return [t for texts in indexed.values() for t in texts]


@pytest.mark.parametrize("doc_id, noise", NOISE)
def test_noise_never_reaches_the_index(doc_id, noise, indexed, indexed_texts):
    where = indexed[doc_id] if noise in DOCUMENT_WORDS else indexed_texts
    hits = [t[:60] for t in where if noise in t]
    assert not hits, f"{noise!r} is indexed in: {hits[:3]}"


def test_the_index_holds_the_documents_text(indexed_texts, docs_by_id):
    # the negative checks above mean something only if the positive side is there
    joined = "\n".join(indexed_texts)
    for words in ["建设期限一般不超过2年", "遴选建设国家质量标准实验室10家", "制造业质量竞争力指数达到86",
                  "意见反馈截止日期为2022年12月19日", "到2035年,基本建成"]:
        assert words in joined, words


def test_the_repeated_news_lead_leaves_one_copy(docs_by_id):
    lead_sentence = "到2025年,力争在高端制造、新材料、信息技术、生物医药等重点领域建设若干国家级质量标准实验室"
    assert raw_text("nqsl-guidance-2022").count(lead_sentence) == 2
    text = docs_by_id["nqsl-guidance-2022"].text
    assert text.count(lead_sentence) == 1
    assert text.startswith("各省、自治区、直辖市和新疆生产建设兵团市场监管局")


def test_the_reprint_is_cut_to_its_news_lead_and_the_document_body(docs_by_id):
    doc = docs_by_id["qi-supply-chain-2024"]
    lead, body = doc.text.split("\n", 1)
    # the site's lead is the one text naming the five issuing departments: kept, as 导语
    assert lead.startswith("近日,市场监管总局、国家发展改革委、科技部、农业农村部、商务部等5部门联合印发")
    assert body.startswith("关于质量基础设施助力产业链供应链 质量联动提升的指导意见\n")
    assert body.rstrip("\n").endswith("提供“一站式”服务。")
    first, second = doc.root.children[:2]
    assert (first.locator, first.text) == ("导语", lead)
    assert second.locator == "引言" and second.text.startswith("关于质量基础设施助力产业链供应链")
    # the pull-quote above the lead repeats the text's own figures: dropped, the figures stay once
    pull_quote = "遴选建设国家质量标准实验室10家、质量基础设施集成服务基地25个"
    assert raw_text("qi-supply-chain-2024").count(pull_quote) == 2
    assert doc.text.count(pull_quote) == 1


def test_a_lead_missing_before_the_body_is_a_clear_error():
    meta = [m for m in load_catalog(CORPUS_DIR) if m.id == "qi-supply-chain-2024"][0]
    meta = meta.model_copy(update={"lead": "这一行并不存在"})
    with pytest.raises(ValueError, match="qi-supply-chain-2024.*lead"):
        clean_text(raw_text("qi-supply-chain-2024"), meta)


def test_liaoning_footer_and_truncated_titles_are_gone(docs_by_id):
    text = docs_by_id["liaoning-qi-plan-draft-2022"].text
    assert "..." not in text and "…" not in text
    assert text.rstrip("\n").endswith("更好服务我省经济社会高质量发展。")
    assert text.count("辽宁省质量强省工作领导小组办公室关于") == 1


def test_page_broken_paragraph_is_rejoined(docs_by_id, indexed_texts):
    raw = raw_text("quality-power-outline-2023")
    assert "支柱产业质量升级" not in raw  # the page break cuts it: 支柱产业质 / 量升级
    text = docs_by_id["quality-power-outline-2023"].text
    line = next(p for p in text.split("\n") if "支柱产业质量升级" in p)
    assert line.startswith("(九)打造区域质量发展新优势")
    assert line.endswith("。")
    assert any("支柱产业质量升级" in t for t in indexed_texts)


def test_short_title_lines_are_not_glued_to_the_paragraph_before(docs_by_id):
    text = docs_by_id["nqsl-measures-2023"].text
    assert "\n国家质量标准实验室管理办法\n第一章" in text


@pytest.mark.parametrize(
    "line, noise",
    [
        ("上接01版", True),
        ("（下转第2版）", True),
        ("全国咨询热线:199-3586-9001", True),
        ("199-3586-9001", True),
        ("点击:3346次", True),
        ("辽宁省质量强省工作领导小组办公室关于对《辽宁省质量基础设施建设实施方案》公开...", True),
        ("0人觉得有用", True),
        ("第十八条  国家质量标准实验室建设期限一般不超过2年。", False),
        ("(二)主要目标", False),
        ("2022年12月11日", False),
        ("专栏1 区域质量发展示范工程", False),
        ("——建设国家质量标准实验室。", False),
    ],
)
def test_is_noise_line(line, noise):
    assert is_noise_line(line) is noise
