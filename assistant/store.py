"""The only code that talks to Chroma.

Embedded ``PersistentClient`` under ``index/`` by default; ``HttpClient`` to a ``chroma run`` server
when the settings name a host. Embeddings are always computed by our embedder and passed in:
Chroma's default embedding function (which downloads a model) is never used.

Rebuilds are atomic from a reader's point of view: a build writes a new collection named after the
fingerprint of its content (chunk ids + embedder), and only when every chunk is in does it switch
the alias (metadata of a small ``<prefix>-alias`` collection) to it and drop older collections. A
build that fails leaves the old collection serving. Building the same corpus with the same
embedder again finds the fingerprint live and writes nothing. A build is incremental: the vectors
of chunks and sentences whose texts the live collections already hold (same embedder) are
copied over, and only new or changed texts are embedded.

With a server, a request that cannot reach it (refused, reset, timed out after
``chroma_timeout_s``, a 5xx) raises ``ServiceUnavailable``: the web app answers 503, and the next
request reaches the server again once it is back, with no restart. Which collection is live is
read from the alias at most once per ``ALIAS_TTL_S`` while serving, not on every query.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from assistant.errors import IndexNotReady, ServiceUnavailable
from assistant.settings import StoreSettings
from assistant.types import Chunk

log = logging.getLogger(__name__)

_BATCH = 64
_SENTENCES = "-sentences"  # suffix of the collection holding each chunk's sentences
_BANK = "bank"  # the question bank's collection: <prefix>-bank-<embedder hash>
ALIAS_TTL_S = 2.0  # how stale the serving side's idea of the live collection may be


def _unreachable(error: Exception) -> bool:
    """Whether ``error`` from the Chroma client means the server is away (not a bad request)."""
    import httpx
    from chromadb.errors import ChromaError

    if isinstance(error, (httpx.TransportError, ConnectionError, TimeoutError)):
        return True
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500
    return isinstance(error, ChromaError) and error.code() >= 500


def _server_call(method):
    """Turn "the Chroma server is away" into ``ServiceUnavailable`` for one store method, and follow
    a rebuild done by another process (the collection held here was dropped)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from chromadb.errors import NotFoundError

        try:
            try:
                return method(self, *args, **kwargs)
            except NotFoundError:
                if self._live is None:
                    raise
                # Another process rebuilt the index and dropped the collection held here: read the
                # alias again and retry once.
                self._live = None
                return method(self, *args, **kwargs)
        except (IndexNotReady, ServiceUnavailable):
            raise
        except Exception as e:
            if self.remote and _unreachable(e):
                self._live = None  # look the collection up afresh once the server is back
                log.warning("%s unreachable: %s: %s", self.where, type(e).__name__, e)
                raise ServiceUnavailable(
                    "index", "The search index is briefly unavailable; please retry shortly. "
                    "检索服务暂时不可用，请稍后重试。") from e
            raise

    return wrapper


def fingerprint(chunks: Sequence[Chunk], embedder_name: str, extra: str = "") -> str:
    h = hashlib.sha1(embedder_name.encode())
    h.update(extra.encode())
    for c in chunks:
        h.update(c.id.encode())
    return h.hexdigest()[:16]


def _to_metadata(chunk: Chunk, header: str) -> dict:
    return {
        "doc_id": chunk.doc_id,
        "doc_title": chunk.doc_title,
        "doc_short_title": chunk.doc_short_title,
        "locator": chunk.locator,
        "heading_path": json.dumps(chunk.heading_path, ensure_ascii=False),
        "status": chunk.status,
        "date": chunk.date,
        "article": chunk.article or "",
        "start": chunk.start,
        "end": chunk.end,
        "tokens": chunk.tokens,
        "header": header,
    }


def _from_record(chunk_id: str, text: str, meta: dict) -> tuple[Chunk, str]:
    chunk = Chunk(
        id=chunk_id,
        doc_id=meta["doc_id"],
        doc_title=meta["doc_title"],
        doc_short_title=meta["doc_short_title"],
        locator=meta["locator"],
        heading_path=json.loads(meta["heading_path"]),
        text=text,
        status=meta["status"],
        date=meta["date"],
        article=meta["article"] or None,
        start=meta["start"],
        end=meta["end"],
        tokens=meta["tokens"],
    )
    return chunk, meta.get("header", "")


class ChromaStore:
    def __init__(self, settings: StoreSettings):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            self.client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
            self.where = f"chroma server {settings.chroma_host}:{settings.chroma_port}"
            # The client's HTTP session waits for ever by default; a hung server must give a 503.
            session = getattr(getattr(self.client, "_server", None), "_session", None)
            if session is not None:
                import httpx

                session.timeout = httpx.Timeout(settings.chroma_timeout_s, connect=min(3.0, settings.chroma_timeout_s))
        else:
            settings.path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
            self.where = str(settings.path)
        self.remote = bool(settings.chroma_host)
        self.prefix = settings.collection_prefix
        self._alias_name = f"{self.prefix}-alias"
        self._live = None
        self._live_checked = 0.0  # monotonic time the alias was last read while serving
        self.last_build = {"embedded": 0, "reused": 0}  # texts embedded / vectors taken over by the last build

    # -- alias -----------------------------------------------------------------------------
    def _alias(self):
        return self.client.get_or_create_collection(self._alias_name, embedding_function=None)

    @_server_call
    def live_name(self) -> str | None:
        return (self._alias().metadata or {}).get("live")

    def live_fingerprint(self) -> str | None:
        name = self.live_name()
        return name.removeprefix(f"{self.prefix}-") if name else None

    @_server_call
    def collection(self):
        if self._live is not None and time.monotonic() - self._live_checked < ALIAS_TTL_S:
            return self._live
        name = self.live_name()
        self._live_checked = time.monotonic()
        if not name:
            raise IndexNotReady(f"no index has been built in {self.where}; run `python -m assistant index`")
        if self._live is None or self._live.name != name:
            self._live = self.client.get_collection(name, embedding_function=None)
            self._live_sentences = self.client.get_collection(f"{name}{_SENTENCES}", embedding_function=None)
        return self._live

    def sentence_collection(self):
        self.collection()
        return self._live_sentences

    # -- build -----------------------------------------------------------------------------
    def _fresh(self, name: str, count: int, embedder: str | None = None):
        try:
            self.client.delete_collection(name)  # a half-written collection of an earlier failed build
        except Exception:  # noqa: BLE001 - NotFound differs between client kinds
            pass
        meta = {"records": count, **({"embedder": embedder} if embedder else {})}
        return self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None, metadata=meta,
        )

    def _reusable(self, embedder: str | None) -> tuple[dict[str, list], dict[str, list]]:
        """The vectors of the live index that a new build may take over instead of embedding again,
        by the exact text embedded: chunk text (context header + text) -> vector and sentence ->
        vector. Only from an index built by the same embedder (recorded in the collection's
        metadata): a vector depends on its text alone, so an unchanged article keeps its vector even
        in a new version of its document (another document id)."""
        if not embedder or not self.live_name():
            return {}, {}
        try:
            col = self.collection()
            if (col.metadata or {}).get("embedder") != embedder:
                return {}, {}
            got = col.get(include=["metadatas", "documents", "embeddings"])
            chunks = {f"{m.get('header', '')}\n{d}": v
                      for m, d, v in zip(got["metadatas"], got["documents"], got["embeddings"])}
            got = self.sentence_collection().get(include=["documents", "embeddings"])
            return chunks, dict(zip(got["documents"], got["embeddings"]))
        except IndexNotReady:
            return {}, {}

    def build(
        self,
        chunks: Sequence[Chunk],
        headers: Sequence[str],
        sentences: Sequence[Sequence[str]],
        embed: Callable[[list[str]], np.ndarray],
        fp: str,
        progress: Callable[[int], None] | None = None,
        embedder: str | None = None,
    ) -> bool:
        """Write ``chunks`` (and each chunk's ``sentences``) into new collections and make them
        live. Returns False when the same content was already live (nothing written).

        With ``embedder`` (its name) given, a chunk or sentence whose text (with its context header)
        the live index already holds, embedded by the same embedder, keeps its vector: only new or changed
        texts are embedded (``last_build`` says how many of each). The switch stays atomic: the new
        collections are complete before the alias moves to them."""
        name = f"{self.prefix}-{fp}"
        if self.live_name() == name:
            return False
        old_chunks, old_sentences = self._reusable(embedder)
        embedded = 0

        def vectors(texts: list[str], have) -> list:
            nonlocal embedded
            out = [have(t) for t in texts]
            todo = [k for k, v in enumerate(out) if v is None]
            if todo:
                fresh = embed([texts[k] for k in todo])
                embedded += len(todo)
                for k, v in zip(todo, fresh):
                    out[k] = v
            return [np.asarray(v, dtype=np.float32).tolist() for v in out]

        col = self._fresh(name, len(chunks), embedder)
        rows = [(c, n, s) for c, sents in zip(chunks, sentences) for n, s in enumerate(sents)]
        scol = self._fresh(f"{name}{_SENTENCES}", len(rows), embedder)
        for i in range(0, len(rows), _BATCH):
            batch = rows[i:i + _BATCH]
            scol.add(
                ids=[f"{c.id}:{n}" for c, n, _ in batch],
                embeddings=vectors([s for _, _, s in batch], old_sentences.get),
                documents=[s for _, _, s in batch],
                metadatas=[{"chunk_id": c.id, "doc_id": c.doc_id, "status": c.status} for c, _, _ in batch],
            )
            if progress:
                progress(len(batch))
        for i in range(0, len(chunks), _BATCH):
            batch = list(chunks[i:i + _BATCH])
            heads = list(headers[i:i + _BATCH])
            texts = [f"{h}\n{c.text}" for h, c in zip(heads, batch)]
            col.add(
                ids=[c.id for c in batch],
                embeddings=vectors(texts, old_chunks.get),
                documents=[c.text for c in batch],
                metadatas=[_to_metadata(c, h) for c, h in zip(batch, heads)],
            )
            if progress:
                progress(len(batch))
        if col.count() != len(chunks) or scol.count() != len(rows):
            raise RuntimeError(f"index build incomplete: {col.count()} of {len(chunks)} chunks written")
        self._alias().modify(metadata={"live": name})
        self._live = None  # serve the new collection from the next query on
        self._drop_old(keep=name)
        self.last_build = {"embedded": embedded, "reused": len(rows) + len(chunks) - embedded}
        return True

    def _drop_old(self, keep: str) -> None:
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(f"{self.prefix}-{_BANK}-"):
                continue  # the bank's collection follows its own entries (sync_bank)
            if name.startswith(f"{self.prefix}-") and name not in (keep, f"{keep}{_SENTENCES}", self._alias_name):
                self.client.delete_collection(name)

    # -- read ------------------------------------------------------------------------------
    @_server_call
    def all_chunks(self) -> list[tuple[Chunk, str]]:
        got = self.collection().get(include=["documents", "metadatas"])
        return [_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]

    @_server_call
    def all_sentences(self) -> list[tuple[str, str]]:
        """(chunk id, sentence) of every indexed sentence."""
        got = self.sentence_collection().get(include=["documents", "metadatas"])
        return [(m["chunk_id"], d) for d, m in zip(got["documents"], got["metadatas"])]

    @_server_call
    def count(self) -> int:
        return self.collection().count()

    # -- the question bank ---------------------------------------------------------------------
    @_server_call
    def bank_collection(self, embedder_name: str):
        """The collection of the bank's questions embedded by ``embedder_name`` (one per embedder)."""
        name = f"{self.prefix}-{_BANK}-{hashlib.sha1(embedder_name.encode()).hexdigest()[:12]}"
        return self.client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    @_server_call
    def sync_bank(self, rows: Sequence[tuple[str, str, dict]], embed: Callable[[list[str]], np.ndarray],
                  embedder_name: str, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Make the bank collection hold exactly ``rows`` (id, question, metadata): embed and add the
        new ones, delete the ones no longer in the bank. Ids derive from entry and text, so an
        unchanged bank writes nothing. Returns (added, removed)."""
        col = self.bank_collection(embedder_name)
        have = set(col.get(include=[])["ids"])
        want = {r[0]: r for r in rows}
        stale = sorted(have - set(want))
        new = [want[i] for i in want if i not in have]
        for i in range(0, len(stale), 500):
            col.delete(ids=stale[i:i + 500])
        for i in range(0, len(new), _BATCH):
            batch = new[i:i + _BATCH]
            col.add(ids=[r[0] for r in batch], embeddings=embed([r[1] for r in batch]),
                    documents=[r[1] for r in batch], metadatas=[r[2] for r in batch])
            if progress:
                progress(len(batch))
        return len(new), len(stale)

    @_server_call
    def bank_vectors(self, embedder_name: str, known: Mapping[str, np.ndarray] | None = None) -> tuple[list[str], np.ndarray]:
        """(ids, vectors) of every question in the bank collection. ``known``: vectors the caller
        already holds, by id (an id derives from entry and text, so its vector never changes):
        only the others are read."""
        col = self.bank_collection(embedder_name)
        if not known:
            got = col.get(include=["embeddings"])
            vecs = np.asarray(got["embeddings"], dtype=np.float32) if len(got["ids"]) else np.zeros((0, 0), np.float32)
            return list(got["ids"]), vecs
        ids = list(col.get(include=[])["ids"])
        missing = [i for i in ids if i not in known]
        read: dict[str, np.ndarray] = {}
        for i in range(0, len(missing), 500):
            got = col.get(ids=missing[i:i + 500], include=["embeddings"])
            read.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        if not ids:
            return [], np.zeros((0, 0), np.float32)
        return ids, np.stack([known[i] if i in known else read[i] for i in ids]).astype(np.float32)

    @_server_call
    def sentence_vectors(self) -> tuple[list[str], list[str], np.ndarray]:
        """(chunk ids, sentences, vectors) of every indexed sentence."""
        got = self.sentence_collection().get(include=["documents", "metadatas", "embeddings"])
        return ([m["chunk_id"] for m in got["metadatas"]], list(got["documents"]),
                np.asarray(got["embeddings"], dtype=np.float32))

    @_server_call
    def query(self, embedding: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the ``n`` nearest chunks."""
        col = self.collection()
        if n <= 0:
            return []
        res = col.query(query_embeddings=[embedding.tolist()], n_results=n, where=where or None, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]
