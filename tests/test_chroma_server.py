"""Server mode: the index built in a real `chroma run` server (started by the conftest fixture on a
free loopback port) serves the same results as the embedded PersistentClient."""

from __future__ import annotations

import pytest

from assistant.errors import IndexNotReady
from assistant.indexing import build_index
from assistant.settings import Settings
from assistant.store import ChromaStore

pytestmark = pytest.mark.server

QUERIES = ["申报国家质量标准实验室需要多大的科研用房", "第十八条", "What does the Liaoning draft say about metrology?",
           "质量基础设施一站式服务站点建设目标", "综合评价不合格怎么办"]


@pytest.fixture(scope="module")
def server_settings(chroma_server, make_settings) -> Settings:
    return make_settings(chroma_server.store_settings())


@pytest.fixture(scope="module")
def server_index(server_settings, built_index):
    store = ChromaStore(server_settings.store)
    report = build_index(built_index.docs, built_index.embedder, store, server_settings)
    return store, report


def test_an_empty_server_has_no_index(chroma_server):
    store = ChromaStore(chroma_server.store_settings(collection_prefix="empty"))
    where = rf"chroma server 127.0.0.1:{chroma_server.port}"
    with pytest.raises(IndexNotReady, match=rf"{where}.*python -m assistant index"):
        store.count()


def test_the_index_is_built_in_the_server(server_index, built_index, chroma_server):
    store, report = server_index
    assert report.built and report.where == f"chroma server 127.0.0.1:{chroma_server.port}"
    assert report.fingerprint == built_index.report.fingerprint  # the same content as the embedded index
    assert store.count() == built_index.report.chunks
    # the data lives in the server's directory, not in the embedded index
    assert any(chroma_server.path.iterdir())


def test_building_again_in_the_server_writes_nothing(server_index, server_settings, built_index):
    store, first = server_index
    again = build_index(built_index.docs, built_index.embedder, store, server_settings)
    assert again.built is False and again.fingerprint == first.fingerprint


def test_server_mode_through_settings_gives_the_embedded_results(server_index, server_settings, qsl_assistant):
    from assistant import Assistant

    served = Assistant.from_settings(server_settings)  # HttpClient chosen from the settings' host
    assert served.index_report.built is False
    assert served.store.where.startswith("chroma server")
    for q in QUERIES:
        here = qsl_assistant.search(q, k=5)
        there = served.search(q, k=5)
        # HNSW search is approximate and the server builds its graph on its own threads, so a
        # candidate deep in a dense leg may move by a rank, and two passages whose fused scores
        # differ by less than that may swap: same best passage, same passages, scores to a rank step
        assert there[0].chunk_id == here[0].chunk_id, q
        assert len({p.chunk_id for p in there} & {p.chunk_id for p in here}) >= 4, q
        mine = {p.chunk_id: p.score for p in here}
        for p in there:
            if p.chunk_id in mine:
                assert p.score == pytest.approx(mine[p.chunk_id], abs=3e-3), q


def test_the_server_store_finds_the_same_nearest_chunks(server_index, built_index):
    store, _ = server_index
    for q in QUERIES:
        vec = built_index.embedder.embed_queries([q])[0]
        here, there = built_index.store.query(vec, 10), store.query(vec, 10)
        assert [i for i, _ in there] == [i for i, _ in here], q
        assert [s for _, s in there] == pytest.approx([s for _, s in here], abs=1e-5), q


def test_filters_work_in_server_mode(server_index, server_settings, built_index):
    from assistant.assistant import Assistant

    store, _ = server_index
    r = Assistant(server_settings, built_index.docs, built_index.embedder, store, None).retriever
    hits = r.search("质量基础设施建设", k=8, statuses=["draft_for_comment"])
    assert len(hits) == 8 and {p.doc_id for p in hits} == {"liaoning-qi-plan-draft-2022"}
