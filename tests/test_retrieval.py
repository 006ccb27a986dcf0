"""Hybrid retrieval on the session index: fusion of the lexical, dense and question-bank legs,
article lookup, filters, the named-document prior, known answers, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import InputError
from assistant.question import ArticleRef, article_refs
from assistant.retrieval import Filters, HybridRetriever
from assistant.settings import RetrievalSettings

MEASURES, GUIDANCE, SUPPLY, OUTLINE, LIAONING = (
    "nqsl-measures-2023", "nqsl-guidance-2022", "qi-supply-chain-2024", "quality-power-outline-2023",
    "liaoning-qi-plan-draft-2022")

# queries without an article number or a document name, on which the legs may disagree
OPEN_QUERIES = ["实验室的研究成果怎么推广", "质量基础设施一站式服务", "青年人才培养", "数字化转型", "中小企业计量"]


@pytest.fixture(scope="module")
def retriever(qsl_assistant) -> HybridRetriever:
    return qsl_assistant.retriever


@pytest.fixture(scope="module")
def variant(qsl_assistant):
    """``variant(sources=False, bank=True, **settings)``: a retriever over the session index with
    other retrieval settings (with the parsed corpus for merging sections when ``sources``, and
    the question bank unless ``bank=False``)."""
    a = qsl_assistant

    def make(sources: bool = False, bank: bool = True, **settings) -> HybridRetriever:
        return HybridRetriever(a.store, a.embedder, RetrievalSettings(**settings), a.knowledge.catalog, a.vocab,
                               a.reader, a.sources if sources else None, a.bank if bank else None)

    return make


def legs_of(r: HybridRetriever, query: str, n: int = 30, legs=None):
    q = r.read(query)
    return r.legs(q.text, q.vector, n, Filters(), legs or ("dense", "lexical", "dense_sentence", "lexical_sentence", "bank", "bank_lexical"))


NO_PRIORS = dict(named_document_boost=0, operative_boost=0, quantity_boost=0, regional_penalty=0)


def ids(passages) -> list[str]:
    return [p.chunk_id for p in passages]


# -- fusion -------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["实验室的研究成果怎么推广", "质量基础设施一站式服务", "品牌建设"])
def test_fused_ranking_holds_the_top_of_both_legs(query, variant):
    # a leg's top may be 辽宁's, which that prior demotes; the bank's legs are off: two legs are fused
    retriever = variant(regional_penalty=0, bank_weight=0, bank_lexical_weight=0)
    legs = legs_of(retriever, query, retriever.settings.candidates)
    top_dense, top_lexical = legs["dense"][0][0], legs["lexical"][0][0]
    assert top_dense != top_lexical, "the legs agree on this query: it no longer tests the fusion"
    fused = [retriever.by_id[p.chunk_id] for p in retriever.search(query, k=5)]
    assert top_dense in fused and top_lexical in fused


def test_fusion_is_weighted_reciprocal_rank(variant):
    """Against a reference computation, with the priors switched off."""
    r = variant(**NO_PRIORS, dense_weight=0.7, lexical_weight=1.3, bank_weight=0.9, bank_lexical_weight=0.4, rrf_k=10)
    q = OPEN_QUERIES[0]
    legs = legs_of(r, q)
    assert {"bank", "bank_lexical"} <= set(legs) and legs["bank"]
    weights = {"dense": 0.7, "dense_sentence": 0.7, "lexical": 1.3, "lexical_sentence": 1.3, "bank": 0.9, "bank_lexical": 0.4}
    expected: dict[int, float] = {}
    for leg, hits in legs.items():
        for rank, (i, _) in enumerate(hits, start=1):
            expected[i] = expected.get(i, 0.0) + weights[leg] / (10 + rank)
    got = r.fuse(q, legs, None)
    assert got.keys() == expected.keys()
    for i in expected:
        assert got[i] == pytest.approx(expected[i])


@pytest.mark.parametrize("off, kept", [("lexical_weight", ("dense", "dense_sentence")),
                                       ("dense_weight", ("lexical", "lexical_sentence"))])
def test_a_leg_weighted_zero_has_no_influence(off, kept, variant):
    base = dict(NO_PRIORS, bank_weight=0, bank_lexical_weight=0)
    weighted = variant(**base, **{off: 0.0})
    alone = variant(**base)
    changed = 0
    for q in OPEN_QUERIES:
        full = weighted.fuse(q, legs_of(weighted, q), None)
        only = alone.fuse(q, legs_of(alone, q, legs=kept), None)
        assert {i: s for i, s in full.items() if s > 0} == pytest.approx(only), q
        top_weighted = weighted.search(q, k=3)[0].chunk_id
        assert top_weighted == alone.search(q, k=3, legs=kept)[0].chunk_id, q
        changed += ids(alone.search(q, k=5)) != ids(weighted.search(q, k=5))
    assert changed, "switching a leg off changed no ranking: the test has no teeth"


# -- article lookup -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ("第十二条", [("第十二条", None)]),
        ("第12条规定了什么", [("第十二条", None)]),
        ("第 12 条", [("第十二条", None)]),
        ("Article 18", [("第十八条", None)]),
        ("what does article 25 of the measures say", [("第二十五条", None)]),
        ("第十二条第（三）项", [("第十二条", "（三）")]),
        ("第十二条(四)的要求", [("第十二条", "（四）")]),
        ("第12条第三项", [("第十二条", "（三）")]),
        ("第12条(3)", [("第十二条", "（三）")]),
        ("第三十三条", [("第三十三条", None)]),
        ("第十二条和第十八条", [("第十二条", None), ("第十八条", None)]),
        ("Art. 9 and article 10", [("第九条", None), ("第十条", None)]),
        ("申报条件是什么", []),
        ("第三章 条件", []),
        ("article about conditions", []),
        ("第0条", []),
    ],
)
def test_article_references_are_normalised(query, expected):
    assert article_refs(query) == [ArticleRef(a, i) for a, i in expected]


@pytest.mark.parametrize(
    "query, article",
    [("第十二条", "第十二条"), ("第12条的要求", "第十二条"), ("Article 18", "第十八条"),
     ("What does article 25 say?", "第二十五条"), ("第三十三条", "第三十三条")],
)
def test_a_query_naming_an_article_gets_it_first(query, article, retriever):
    hits = retriever.search(query, k=5)
    assert hits[0].article == article and hits[0].locator.startswith(article)
    n_chunks = sum(c.article == article for c in retriever.chunks)
    assert [p.article for p in hits[:min(5, n_chunks)]] == [article] * min(5, n_chunks)


@pytest.mark.parametrize("query, locator", [("第十二条第（三）项", "第十二条（三）"), ("第十二条第(四)项有哪些", "第十二条（四）")])
def test_a_query_naming_an_item_gets_that_item_first(query, locator, retriever):
    hits = retriever.search(query, k=3)
    assert hits[0].locator == locator


def test_article_lookup_respects_the_filters(retriever):
    hits = retriever.search("第十二条", k=5, doc_ids=[GUIDANCE])
    assert hits and {p.doc_id for p in hits} == {GUIDANCE}


# -- filters ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "doc_ids, statuses, allowed",
    [
        ([LIAONING], None, {LIAONING}),
        ([GUIDANCE, OUTLINE], None, {GUIDANCE, OUTLINE}),
        (None, ["draft_for_comment"], {LIAONING}),
        (None, ["in_force"], {MEASURES, GUIDANCE}),
        (None, ["reprint", "excerpt"], {SUPPLY, OUTLINE}),
        ([MEASURES, LIAONING], ["draft_for_comment"], {LIAONING}),
    ],
)
def test_filters_by_document_and_status(doc_ids, statuses, allowed, qsl_assistant):
    hits = qsl_assistant.search("国家质量标准实验室和质量基础设施建设的要求", k=10, doc_ids=doc_ids, statuses=statuses)
    assert len(hits) == 10
    assert {p.doc_id for p in hits} <= allowed
    if statuses:
        assert {p.status for p in hits} <= set(statuses)


def test_filters_that_match_nothing_give_nothing(qsl_assistant):
    assert qsl_assistant.search("建设期限", doc_ids=[LIAONING], statuses=["in_force"]) == []


# -- named documents ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, doc_id",
    [
        ("辽宁怎么培养质量人才", LIAONING),
        ("What does the Liaoning draft say about certification?", LIAONING),
        ("五部门文件对计量有什么要求", SUPPLY),
        ("纲要里关于标准的要求", OUTLINE),
    ],
)
def test_a_question_naming_a_document_gets_that_document_first(query, doc_id, retriever):
    assert [p.doc_id for p in retriever.search(query, k=3)] == [doc_id] * 3


def test_the_named_document_prior_is_what_puts_it_first(variant, retriever):
    without = variant(named_document_boost=0, bank=False)
    moved = [q for q, doc_id in [("五部门文件对计量有什么要求", SUPPLY), ("纲要里关于标准的要求", OUTLINE)]
             if without.search(q, k=1)[0].doc_id != doc_id]
    assert moved, "without the prior these questions still find the named document first: pick others"


@pytest.mark.parametrize("query", ["省里的科研院所申报要经过谁？", "省级市场监管部门在推荐中做什么", "地方政府对实验室有什么资金支持"])
def test_a_regional_document_yields_to_the_national_ones_when_its_region_is_not_named(variant, retriever, query):
    """辽宁's draft speaks of 省 and 地方 throughout; a question about any province's applicant is
    not about 辽宁, so the regional prior keeps the national texts first."""
    without = variant(regional_penalty=0, sources=True)
    assert LIAONING not in [p.doc_id for p in retriever.search(query, k=2)]
    score = lambda r: sum(p.score for p in r.search(query, k=10) if p.doc_id == LIAONING)
    assert score(retriever) < score(without)  # the prior is what demotes them


@pytest.mark.parametrize("query", ["辽宁对地方标准制定有什么要求", "我们在沈阳，省里的质检中心建设有什么计划？"])
def test_a_question_naming_the_region_or_one_of_its_places_still_finds_the_regional_document(query, retriever):
    assert retriever.search(query, k=1)[0].doc_id == LIAONING


# -- the question bank's legs -------------------------------------------------------------------

def test_the_bank_leg_ranks_the_chunk_of_the_entry_whose_questions_are_closest(variant, bank):
    """A bank question asked as it is written finds its entry first, and its chunk leads the leg."""
    r = variant(sources=True)
    entry = bank.by_id()["m09-size"]
    question = entry.data.questions[0].q
    q = r.read(question)
    hits = r.bank_hits(q)
    assert hits[0].entry.id == "m09-size" and hits[0].sim > 0.99
    chunk = r.chunks[r.legs(q.text, q.vector, 30, Filters(), ("bank",))["bank"][0][0]]
    assert chunk.doc_id == entry.data.doc_id and chunk.start <= entry.start and entry.end <= chunk.end


def test_a_new_bank_taken_by_a_copy_matches_one_built_from_scratch(retriever):
    """Taking a new bank (a curated answer saved) reuses the vectors, tokens and chunks already
    held: the copy ends with the rows, vectors and entry chunks a fresh read gives."""
    import copy

    from assistant.bank import QuestionBank

    bank = retriever.bank
    smaller = QuestionBank([e for e in bank.entries if e.id != "m09-size"])
    r = copy.copy(retriever)
    r.set_bank(smaller)
    assert "m09-size" not in {e.id for e in r.bank_matrix()[1]}
    r.set_bank(bank)
    vecs, entries = r.bank_matrix()
    want_vecs, want_entries = retriever.bank_matrix()
    assert [e.id for e in entries] == [e.id for e in want_entries]
    assert np.array_equal(vecs, want_vecs)
    assert r._entry_chunk == retriever._entry_chunk
    q = r.read(bank.by_id()["m09-size"].data.questions[0].q)
    assert r.bank_hits(q)[0].entry.id == "m09-size"


def test_the_bank_legs_lift_a_colloquial_question(variant):
    """一把手 is 实验室主任 in 第十四条, and 外单位的人 its 依托单位的高层领导: the bank's colloquial
    questions on 第十四条 say it the applicant's way."""
    query = "咱实验室的一把手能找外单位的人当吗"
    without = variant(bank_weight=0, bank_lexical_weight=0).search(query, k=5)
    with_bank = variant().search(query, k=5)
    rank = lambda hits: next((i for i, p in enumerate(hits) if p.locator == "第十四条"), 99)
    assert rank(with_bank) == 0 and rank(with_bank) < rank(without)


def test_bank_entries_are_ranked_by_similarity_plus_their_lexical_match(variant):
    r = variant()
    q = r.read("专家委员会任期多长？")
    hits = r.bank_hits(q, n=10)
    lexical = r.bank_lexical(q.text)
    for h in hits:
        assert h.score == pytest.approx(h.sim + r.settings.bank_lexical_mix * lexical.get(h.entry.id, 0.0), abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].entry.id == "m09-term"


def test_a_named_documents_bank_entries_get_its_prior(variant):
    """Asked for the 文号 of the Measures by its full title, the Measures' number entry is the
    first match; without the prior, entries of other documents asking a 文号 come first (the
    title is set aside for the words, and the embedder finds every title alike)."""
    r = variant()
    q = r.read("《国家质量标准实验室管理办法》的文号是什么？")
    hits = r.bank_hits(q, n=10)
    lexical = r.bank_lexical(q.text)
    assert hits[0].entry.id == "fact-nqsl-measures-2023-number"
    for h in hits:
        named = r.settings.bank_named_boost if h.entry.data.doc_id in q.documents else 0.0
        assert h.score == pytest.approx(h.sim + r.settings.bank_lexical_mix * lexical.get(h.entry.id, 0.0) + named, abs=1e-5)
    off = variant(bank_named_boost=0)
    assert off.bank_hits(off.read(q.text), n=10)[0].entry.id != "fact-nqsl-measures-2023-number"


@pytest.mark.parametrize("doc_ids", [[LIAONING], [GUIDANCE, OUTLINE]])
def test_the_sentence_legs_respect_the_filters(doc_ids, retriever):
    from assistant.retrieval import Filters

    q = retriever.read("质量基础设施建设的人才培养")
    legs = retriever.legs(q.text, q.vector, 8, Filters(doc_ids), ("dense_sentence", "lexical_sentence"))
    for leg in ("dense_sentence", "lexical_sentence"):
        assert legs[leg] and {retriever.chunks[i].doc_id for i, _ in legs[leg]} <= set(doc_ids)
        scores = [s for _, s in legs[leg]]
        assert scores == sorted(scores, reverse=True)


def test_a_document_named_in_the_question_does_not_make_its_entries_alike_to_bm25(variant):
    r = variant()
    with_name = r.bank_lexical("五部门的指导意见里，计量方面有什么要求")
    without = r.bank_lexical("计量方面有什么要求")
    assert with_name == without


# -- known answers (written from the documents) ------------------------------------------------

@pytest.mark.parametrize(
    "question, doc_id, locator",
    [
        ("专利申请和技术成果转让按什么规定办理？", MEASURES, "第二十三条"),
        ("实验室能不能参与制造业创新中心建设？", MEASURES, "第三十条"),
        ("验收通过以后要向社会公示吗？", MEASURES, "第十九条"),
        ("Can the lab director be someone who is not a senior leader of the host institution?", MEASURES, "第十四条"),
        ("When do the measures take effect?", MEASURES, "第三十三条"),
        ("国家级质量标准实验室主要依托哪些单位建设？", GUIDANCE, "二、主要任务 > （三）建立“进退”机制"),
        ("质量认证示范区计划建设多少个？", SUPPLY, "一、总体要求 > （三）行动目标"),
        ("缺陷产品调查协作基地怎么布局？", SUPPLY, "四、强化质量政策激励约束作用 > （十四）强化底线约束"),
        ("链上企业要设立哪些质量岗位？", SUPPLY, "五、着力推动联动机制建设 > （十六）建立链上成员协作机制"),
        ("建筑材料质量怎么提升？", OUTLINE, "六、提升建设工程品质 > （十四）提高建筑材料质量水平"),
        ("检验检测技能竞赛取得前三名的人员有什么待遇？", LIAONING, "三、政策资金保障措施 > （三）加强人才队伍建设"),
        ("对辽宁方案的意见可以寄信提交吗？", LIAONING, None),  # the notice, whatever its locator
    ],
)
def test_known_answers_are_in_the_top_3(question, doc_id, locator, retriever, docs_by_id):
    top = retriever.search(question, k=3)
    if locator is None:
        assert any(p.doc_id == doc_id and "通过信函邮寄" in p.text for p in top), [p.locator for p in top]
    else:
        assert (doc_id, locator) in [(p.doc_id, p.locator) for p in top], [p.locator for p in top]


# -- sections merged, parts of a question kept ---------------------------------------------------

RESEARCH_FOCUS = "二、主要任务 > （四）聚焦研究重点"
SIX_FOCUSES = ["质量政策体系研究", "质量基础研究", "质量共性技术研究", "质量协同服务推进", "传统质量安全机理研究",
               "新型产品安全问题研究"]


def test_several_items_of_one_list_come_back_as_the_whole_list(retriever, variant, docs_by_id):
    query = "2022年的指导意见把研究重点放在哪几个方向？"
    split = variant().search(query, k=5)  # no corpus: no merging
    assert sum(p.heading_path[:2] == RESEARCH_FOCUS.split(" > ") for p in split) >= 3
    assert not all(any(f in p.text for p in split) for f in SIX_FOCUSES), "five places cannot hold six items"

    hits = retriever.search(query, k=5)
    whole = [p for p in hits if p.locator == RESEARCH_FOCUS]
    assert len(whole) == 1 and all(f in whole[0].text for f in SIX_FOCUSES)
    assert docs_by_id[GUIDANCE].text[whole[0].start:whole[0].end] == whole[0].text
    # the list's items are not repeated beside it; the freed places hold other passages
    assert not [p for p in hits if p is not whole[0] and p.heading_path[:2] == whole[0].heading_path]
    assert len(hits) == 5


def test_merging_is_off_at_zero_and_below_the_token_cap(variant):
    query = "2022年的指导意见把研究重点放在哪几个方向？"
    for settings in ({"merge_siblings": 0}, {"merge_max_tokens": 100}):
        hits = variant(sources=True, **settings).search(query, k=5)
        assert sum(p.heading_path[:2] == RESEARCH_FOCUS.split(" > ") for p in hits) >= 3
        assert not [p for p in hits if all(f in p.text for f in SIX_FOCUSES)]


def test_merged_passages_do_not_overlap(qsl_assistant):
    for query in ["科研成果要满足哪些", "指导意见的主要任务", "辽宁标准领域建设有哪些任务"]:
        hits = qsl_assistant.search(query, k=8)
        spans = sorted((p.doc_id, p.start, p.end) for p in hits)
        for (d1, _, e1), (d2, s2, _) in zip(spans, spans[1:]):
            assert d1 != d2 or s2 >= e1, [p.locator for p in hits]


def test_each_part_of_a_question_keeps_its_best_passage():
    keep = HybridRetriever._each_part_kept
    ranked = [1, 2, 3, 4, 5, 6, 7]
    assert keep(ranked, [{6: 0.9, 1: 0.2}], k=3) == [1, 2, 6, 3, 4, 5, 7]
    assert keep(ranked, [{2: 0.9}], k=3) == ranked  # already in
    assert keep(ranked, [{6: 0.9}, {7: 0.8}], k=3) == [1, 6, 7, 2, 3, 4, 5]
    assert keep(ranked, [{}], k=3) == ranked


def test_a_two_part_question_finds_both_articles(retriever):
    hits = retriever.search("本办法由谁负责解释？从哪天起施行？", k=5)
    assert {"第三十二条", "第三十三条"} <= {p.locator for p in hits}, [p.locator for p in hits]


def test_passages_are_verbatim_and_complete(qsl_assistant, docs_by_id):
    for p in qsl_assistant.search("申报国家质量标准实验室须满足哪些条件", k=10):
        assert docs_by_id[p.doc_id].text[p.start:p.end] == p.text
        assert p.doc_title == docs_by_id[p.doc_id].meta.title and p.locator and p.score > 0


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "   ", "\n\t　"])
def test_an_empty_query_is_refused_with_a_clear_message(query, qsl_assistant):
    with pytest.raises(InputError, match="The question is empty. 问题不能为空"):
        qsl_assistant.search(query)


def test_an_absurdly_long_query_is_refused_with_a_clear_message(qsl_assistant):
    limit = qsl_assistant.settings.retrieval.max_query_chars
    with pytest.raises(InputError, match=rf"too long \({limit + 1} characters; at most {limit}\).*问题过长"):
        qsl_assistant.search("质" * (limit + 1))
    with pytest.raises(InputError, match="too long"):
        qsl_assistant.search("How large must the lab be? " * 1000)
    assert issubclass(InputError, ValueError)


def test_the_length_limit_itself_is_served(variant):
    r = variant(max_query_chars=40)
    assert r.check_query("  " + "质" * 40 + "  ") == "质" * 40  # surrounding blanks do not count
    assert r.search("实验室建设期限一般不超过几年" + "？" * 26, k=1)[0].article == "第十八条"
    with pytest.raises(InputError, match=r"too long \(41 characters; at most 40\)"):
        r.search("质" * 41)


def test_a_query_that_is_not_text_is_refused(qsl_assistant):
    with pytest.raises(InputError, match="must be text"):
        qsl_assistant.search(None)


@pytest.mark.parametrize("k", [-1, 51, 1000])
def test_k_out_of_range_is_refused(k, qsl_assistant):
    with pytest.raises(InputError, match="k must be between 1 and 50"):
        qsl_assistant.search("建设期限", k=k)


def test_k_zero_is_refused(qsl_assistant):
    with pytest.raises(InputError, match="k must be between 1 and 50"):
        qsl_assistant.search("建设期限", k=0)


@pytest.mark.parametrize("k", [1, 7, 30])
def test_k_passages_are_returned(k, qsl_assistant):
    assert len(qsl_assistant.search("质量基础设施", k=k)) == k


def test_k_50_returns_at_most_50(qsl_assistant):
    # candidates (30 per leg) bound what fusion can return: k=50 may give fewer, never more
    assert 30 <= len(qsl_assistant.search("质量基础设施", k=50)) <= 50


def test_tutorial_baseline_of_the_eval_runs_on_the_real_corpus(corpus_docs, e5, tmp_path):
    """The LangChain tutorial pipeline that `eval retrieval` compares against (langchain-chroma,
    500/50 splits, the same embedder) builds and returns five passages."""
    from assistant.evaluation.retrieval import tutorial_pipeline

    search = tutorial_pipeline(corpus_docs, e5, str(tmp_path))
    found = search("实验室的建设期一般是多长时间？")
    assert len(found) == 5
    assert any("建设期" in text for text in found)
