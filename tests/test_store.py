"""The Chroma store and index builds: idempotent re-indexing, a rebuild that switches collections
only when complete, a failed build that leaves the old index serving, and a clear error when no
index exists. Builds that change an index happen in their own temp dirs, never in the session's."""

from __future__ import annotations

import pytest

from assistant.corpus import load_corpus
from assistant.errors import IndexNotReady
from assistant.indexing import build_index, corpus_chunks
from assistant.retrieval import HybridRetriever
from assistant.settings import ChunkingSettings, Settings, StoreSettings
from assistant.store import ChromaStore

EDIT = {"nqsl-measures-2023": lambda raw: raw.replace("延长期限最长为1年", "延长期限最长为18个月")}


class FailingEmbedder:
    """The real embedder, made to fail on its ``fail_on``-th batch of passages (a backend that
    dies in the middle of a build)."""

    def __init__(self, inner, fail_on: int):
        self.inner, self.name, self.fail_on, self.calls = inner, inner.name, fail_on, 0

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("embedding backend went away")
        return self.inner.embed_passages(texts)


def collection_names(store: ChromaStore) -> set[str]:
    """The index's collections (the question bank's, which follows the bank, left aside)."""
    names = {c if isinstance(c, str) else c.name for c in store.client.list_collections()}
    return {n for n in names if not n.startswith(f"{store.prefix}-bank-")}


def retriever(store, embedder, docs) -> HybridRetriever:
    from assistant.assistant import Assistant

    return Assistant(Settings(), docs, embedder, store, None).retriever


def article_text(r: HybridRetriever, label: str) -> str:
    return "".join(c.text for c in r.chunks if c.doc_id == "nqsl-measures-2023" and c.article == label)


# -- the session index --------------------------------------------------------------------------

def test_building_the_same_corpus_again_writes_nothing(built_index):
    store, before = built_index.store, built_index.report
    live, count = store.live_name(), store.count()
    embedded = built_index.embedder.passages_embedded
    again = build_index(built_index.docs, built_index.embedder, store, built_index.settings)
    assert again.built is False
    assert again.fingerprint == before.fingerprint and again.chunks == before.chunks
    assert store.live_name() == live == f"qsl-{before.fingerprint}"
    assert store.count() == count == before.chunks
    assert built_index.embedder.passages_embedded == embedded  # nothing was even embedded


def test_from_settings_loads_the_live_index_without_rebuilding(built_index):
    from assistant import Assistant

    a = Assistant.from_settings(built_index.settings)  # a fresh e5 and a fresh Chroma client
    assert a.index_report.built is False
    assert a.index_report.fingerprint == built_index.report.fingerprint
    assert a.store.live_name() == built_index.store.live_name()
    assert a.store.count() == built_index.report.chunks
    assert a.search("实验室建设期限一般不超过几年", k=1)[0].locator == "第十八条"


def test_the_index_holds_exactly_the_chunks_of_the_corpus(built_index):
    stored = {c.id: c for c, _ in built_index.store.all_chunks()}
    chunks = corpus_chunks(built_index.docs, built_index.settings)
    assert len(stored) == len(chunks) == built_index.report.chunks
    for c in chunks:
        assert stored[c.id] == c  # every field survives the trip through Chroma metadata
    sentences = built_index.store.all_sentences()
    assert {cid for cid, _ in sentences} <= set(stored)
    assert len(sentences) > len(chunks)


def test_vectors_are_stored_with_cosine_distance(built_index):
    chunk, header = next((c, h) for c, h in built_index.store.all_chunks() if c.locator == "第十八条")
    vec = built_index.embedder.embed_passages([f"{header}\n{chunk.text}"])[0]
    (best, similarity), *_ = built_index.store.query(vec, 3)
    assert best == chunk.id
    assert similarity == pytest.approx(1.0, abs=1e-3)


# -- missing index ------------------------------------------------------------------------------

def test_a_missing_index_is_reported_clearly(tmp_path, e5):
    store = ChromaStore(StoreSettings(path=tmp_path / "never-built"))
    assert store.live_name() is None
    for read in (store.count, store.all_chunks, store.collection):
        with pytest.raises(IndexNotReady, match=r"no index has been built in .*never-built.*python -m assistant index"):
            read()
    with pytest.raises(IndexNotReady, match="python -m assistant index"):
        retriever(store, e5, [])


# -- rebuilds -----------------------------------------------------------------------------------

@pytest.fixture
def own_index(tmp_path, make_settings, corpus_docs, e5, built_index):
    """A store of its own, holding the default index of the corpus (its vectors are known from
    the session index, so this costs Chroma writes only)."""
    settings = make_settings(StoreSettings(path=tmp_path / "own-index"))
    store = ChromaStore(settings.store)
    report = build_index(corpus_docs, e5, store, settings)
    assert report.built and report.fingerprint == built_index.report.fingerprint
    return settings, store, report


def test_changed_chunking_builds_a_new_collection_and_drops_the_old(tmp_path, make_corpus, make_settings, e5,
                                                                  built_index):
    # the 管理办法 alone, and 300 rather than 400 tokens: a few chunks change, so the rebuild
    # embeds about ten new texts
    docs = load_corpus(make_corpus(["nqsl-measures-2023"]))
    settings = make_settings(StoreSettings(path=tmp_path / "measures-index"))
    store = ChromaStore(settings.store)
    first = build_index(docs, e5, store, settings)
    smaller = settings.model_copy(update={"chunking": ChunkingSettings(max_tokens=300)})
    second = build_index(docs, e5, store, smaller)
    assert first.built and second.built and second.fingerprint != first.fingerprint
    assert second.chunks > first.chunks
    assert store.live_name() == f"qsl-{second.fingerprint}"
    assert collection_names(store) == {"qsl-alias", f"qsl-{second.fingerprint}", f"qsl-{second.fingerprint}-sentences"}
    assert store.count() == second.chunks
    r = retriever(store, e5, docs)
    assert len(r.chunks) == second.chunks and max(c.tokens for c in r.chunks) < 400
    hits = r.search("不能如期完成建设的，最长可以延长多久", k=3)
    assert "第十八条" in [p.article for p in hits]
    assert build_index(docs, e5, store, smaller).built is False


def test_changed_corpus_builds_a_new_collection(own_index, make_corpus, e5):
    settings, store, first = own_index
    docs = load_corpus(make_corpus(edits=EDIT))
    second = build_index(docs, e5, store, settings)
    assert second.built and second.fingerprint != first.fingerprint and second.chunks == first.chunks
    r = retriever(store, e5, docs)
    assert "延长期限最长为18个月" in article_text(r, "第十八条")
    assert r.search("延长期限最长多久", k=1)[0].article == "第十八条"


def test_a_failed_build_leaves_the_old_index_serving(own_index, make_corpus, e5):
    settings, store, first = own_index
    live, count = store.live_name(), store.count()
    before = [p.chunk_id for p in retriever(store, e5, load_corpus(settings.corpus_dir)).search("建设期限", k=5)]
    edited = load_corpus(make_corpus(edits=EDIT))
    # The build is incremental: only the edited article's texts are embedded, so the first call
    # to the embedder is the one that fails (batches of unchanged texts were already written).
    failing = FailingEmbedder(e5, fail_on=1)
    with pytest.raises(RuntimeError, match="embedding backend went away"):
        build_index(edited, failing, store, settings)
    assert failing.calls == 1
    # the alias still names the old collection, which is complete and searchable
    assert store.live_name() == live and store.count() == count
    assert len(collection_names(store)) > 3  # the half-written collection is there, not live
    r = retriever(store, e5, edited)
    assert "延长期限最长为1年" in article_text(r, "第十八条")
    assert "18个月" not in article_text(r, "第十八条")
    assert [p.chunk_id for p in r.search("建设期限", k=5)] == before
    # the next build of the new content succeeds, replaces the half-written one and drops the old
    done = build_index(edited, e5, store, settings)
    assert done.built and store.live_name() == f"qsl-{done.fingerprint}" != live
    assert collection_names(store) == {"qsl-alias", f"qsl-{done.fingerprint}", f"qsl-{done.fingerprint}-sentences"}
    assert store.count() == done.chunks
    assert "延长期限最长为18个月" in article_text(retriever(store, e5, edited), "第十八条")


def test_two_prefixes_are_two_independent_indexes(tmp_path, make_corpus, make_settings, e5, built_index):
    docs = load_corpus(make_corpus(["nqsl-guidance-2022"]))
    base = make_settings(StoreSettings(path=tmp_path / "shared"))
    a = build_index(docs, e5, ChromaStore(base.store), base)
    other = base.model_copy(update={"store": StoreSettings(path=tmp_path / "shared", collection_prefix="other")})
    store_b = ChromaStore(other.store)
    with pytest.raises(IndexNotReady):
        store_b.count()
    b = build_index(docs, e5, store_b, other)
    assert a.built and b.built and a.fingerprint == b.fingerprint
    assert ChromaStore(base.store).count() == store_b.count() == a.chunks
