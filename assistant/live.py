"""A serving process follows the corpus: documents added, replaced or removed and curated answers
saved (by the console, the CLI, another worker, or by hand) are taken up without a restart.

``LiveAssistant`` stands where an ``Assistant`` does (the web app wraps its assistant in one) and
hands every attribute on to the current one. At most every ``knowledge.watch_interval_s`` a call
compares the corpus's stamp (each file's mtime and size: catalog.json, raw/, bank/ and the curated
answers) with the one it was built from; on a change one background thread brings the index up to
date (``indexing.index_corpus``: only new or changed texts are embedded) and builds a new
``Assistant``, then swaps it in. Requests meanwhile are answered by the previous one, so none waits
and none sees half a change. Every worker process runs its own watcher; an index lock (a file
beside the corpus) makes them build one after another, and the second finds the index already
current. A change that cannot be taken up (a corpus made invalid by hand) is logged and the
previous assistant keeps serving.

(Answers citing a document that superseded an older version note the old wording where it differs:
``Assistant.superseded_notes``, on every surface.)
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path

from assistant.library import corpus_stamp

log = logging.getLogger(__name__)


def knowledge_stamp(settings) -> dict:
    """What the assistant reads from disk, as (mtime, size) per file."""
    stamp = corpus_stamp(settings.corpus_dir)
    curated = Path(settings.curated_path)
    if curated.is_file():
        st = curated.stat()
        stamp["curated"] = (st.st_mtime_ns, st.st_size)
    return stamp


def index_lock(settings):
    from filelock import FileLock

    return FileLock(str(Path(settings.corpus_dir) / ".index.lock"))


class LiveAssistant:
    def __init__(self, assistant, interval_s: float | None = None):
        self.__dict__.update(
            _current=assistant, _settings=assistant.settings,
            _interval=interval_s if interval_s is not None else assistant.settings.knowledge.watch_interval_s,
            _stamp=knowledge_stamp(assistant.settings), _checked=time.monotonic(), _lock=threading.Lock(),
            _thread=None, _generation=0, _error=None,
        )

    # -- the current assistant -----------------------------------------------------------------
    @property
    def current(self):
        self.follow()
        return self._current

    @property
    def generation(self) -> int:
        """How many changes this process has taken up."""
        return self._generation

    @property
    def last_error(self) -> str | None:
        return self._error

    def __getattr__(self, name):
        self.follow()
        return getattr(self._current, name)

    def follow(self, wait: bool = False) -> bool:
        """Start taking up a change of the corpus if there is one (checked at most every interval,
        or now with ``wait``); with ``wait``, return once it is taken up. True when a change was
        found."""
        now = time.monotonic()
        if not wait and now - self._checked < self._interval:
            return False
        self.__dict__["_checked"] = now
        stamp = knowledge_stamp(self._settings)
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            changed = stamp != self._stamp
            if changed and not running:
                t = threading.Thread(target=self._reload, args=(stamp,), name="qsl-follow-corpus", daemon=True)
                self.__dict__["_thread"] = t
                t.start()
                running = True
            thread = self._thread
        if wait and running and thread is not None:
            thread.join()
            if knowledge_stamp(self._settings) != self._stamp:  # changed again while it was building
                return self.follow(wait=True) or True
        return changed

    def _reload(self, stamp: dict) -> None:
        from assistant.assistant import Assistant
        from assistant.corpus import load_corpus
        from assistant.corpus.sources import Sources
        from assistant.indexing import build_index, load_bank

        t0 = time.perf_counter()
        old = self._current
        try:
            with index_lock(self._settings):
                was, stamp = self._stamp, knowledge_stamp(self._settings)  # what is read below
                if _bank_only(was, stamp):
                    new, report = self._new_bank(old)
                    docs = list(old.docs.values())
                else:
                    docs = load_corpus(self._settings.corpus_dir)
                    bank = load_bank(self._settings, Sources(docs))
                    report = build_index(docs, old.embedder, old.store, self._settings, bank=bank)
                    new = None
            if new is None:
                new = Assistant(self._settings, docs, old.embedder, old.store, report, bank)
            new.answerer  # noqa: B018 - built now, not on the first request
        except Exception as e:  # noqa: BLE001 - a bad corpus must not take the server down
            log.exception("corpus change not taken up; the previous version keeps serving")
            self.__dict__.update(_error=f"{type(e).__name__}: {e}", _stamp=stamp)
            return
        self.__dict__.update(_current=new, _stamp=stamp, _generation=self._generation + 1, _error=None)
        log.info("corpus change taken up in %.1f s: %d documents, %d chunks (%d texts embedded), index %s",
                 time.perf_counter() - t0, len(docs), report.chunks, report.embedded, report.fingerprint)

    def _new_bank(self, old):
        """Only the question bank changed (a curated answer saved, a bank file edited): embed its
        new questions and give a copy of the current assistant the new bank. The documents, their
        index, the lexical indexes and the answer chain's fitted models stay."""
        import copy

        from assistant.indexing import load_bank, sync_bank

        bank = load_bank(self._settings, old.sources)
        questions, added, removed = sync_bank(bank, old.embedder, old.store)
        new = copy.copy(old)
        new.retriever = copy.copy(old.retriever)
        new.retriever.set_bank(bank)
        new.bank = bank
        # The answer chain is not built again: its fitted parts stay (Answerer.with_retriever).
        new.__dict__["answerer"] = old.answerer.with_retriever(new.retriever)
        report = dataclasses.replace(old.index_report, bank_questions=questions, bank_added=added,
                                     bank_removed=removed, built=False, embedded=0)
        new.index_report = report
        return new, report

    # -- answers -------------------------------------------------------------------------------
    def ask(self, question, history=None):
        a = self.current
        answer = a.ask(question, history)
        count_hits(a, answer)
        return answer

    def ask_stream(self, question, history=None):
        from assistant.types import Answer

        a = self.current
        for item in a.ask_stream(question, history):
            if isinstance(item, Answer):
                count_hits(a, item)
            yield item


def _bank_only(before: dict, after: dict) -> bool:
    """Whether only question-bank files (the shipped bank's, the curated answers) differ."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return bool(changed) and all(k == "curated" or k.startswith("bank/") for k in changed)


def count_hits(assistant, answer) -> None:
    """One hit for each curated entry the answer quotes (``curation.HitCounts``)."""
    from assistant.curation import HitCounts, served_entries

    if not any(e.data.source == "curated" for e in assistant.bank.entries):
        return
    ids = served_entries(answer, assistant.bank, assistant.docs)
    if ids:
        try:
            HitCounts.from_settings(assistant.settings).hit(ids)
        except Exception:  # noqa: BLE001 - a count must never cost an answer
            log.exception("curated hit count not written")

