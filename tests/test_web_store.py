"""The question log and feedback store: WAL mode, round-trips, the thumbs-down filter, CSV export,
and writes from many threads at once (uvicorn and Gradio both write from worker threads)."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading

import pytest

from assistant.web.store import FeedbackStore, UnknownQuestion


@pytest.fixture
def store(tmp_path):
    return FeedbackStore(tmp_path / "data")


def _log(store, question="申报需要满足哪些条件？", **kw):
    return store.log_question(channel=kw.pop("channel", "ui"), question=question,
                              answer=kw.pop("answer", "根据第十二条……"), **kw)


def test_file_is_in_wal_mode_for_every_connection(store):
    assert store.journal_mode() == "wal"
    with sqlite3.connect(store.path) as db:  # a fresh connection sees the persisted mode
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_question_and_feedback_round_trip(store):
    qid = _log(store, citations=["《国家质量标准实验室管理办法》 第十二条"], refused=False, latency_ms=120, backend="extractive")
    fid = store.add_feedback(qid, -1, "没有回答验收时间")
    [row] = store.questions()
    assert (row.id, row.question, row.rating, row.comment) == (qid, "申报需要满足哪些条件？", -1, "没有回答验收时间")
    assert row.citations == ["《国家质量标准实验室管理办法》 第十二条"]
    assert row.latency_ms == 120 and row.backend == "extractive"
    store.set_comment(fid, "补充：验收时间没说")
    assert store.questions()[0].comment == "补充：验收时间没说"


def test_latest_rating_wins_and_unrated_questions_are_listed(store):
    a, b = _log(store, "问题甲"), _log(store, "问题乙")
    store.add_feedback(a, -1)
    store.add_feedback(a, 1)  # changed their mind
    rows = {q.question: q.rating for q in store.questions()}
    assert rows == {"问题甲": 1, "问题乙": None}
    assert [q.id for q in store.questions()] == [b, a]  # newest first


def test_only_negative_filter(store):
    good, bad, unrated = _log(store, "好"), _log(store, "差"), _log(store, "未评")
    store.add_feedback(good, 1)
    store.add_feedback(bad, -1, "不准确")
    assert [q.question for q in store.questions(only_negative=True)] == ["差"]
    assert unrated in {q.id for q in store.questions()}


def test_feedback_needs_a_logged_question_and_a_valid_rating(store):
    with pytest.raises(UnknownQuestion):
        store.add_feedback(999, 1)
    qid = _log(store)
    with pytest.raises(ValueError):
        store.add_feedback(qid, 0)
    with pytest.raises(LookupError):
        store.set_comment(12345, "x")


def test_comment_is_trimmed_and_bounded(store):
    qid = _log(store)
    store.add_feedback(qid, -1, "  " + "长" * 5000 + "  ")
    assert len(store.questions()[0].comment) == 2000


def test_csv_export_quotes_chinese_commas_and_newlines(store, tmp_path):
    qid = _log(store, "设备现值，原值怎么算？", answer="第一行\n第二行，含逗号", citations=["《办法》 第十二条（一）"])
    store.add_feedback(qid, -1, '说"不清楚"')
    _log(store, "另一个问题")
    about, *rows = list(csv.reader(io.StringIO(store.export_csv(only_negative=True))))
    assert "差评问答，共 1 条" in about[0]  # the first line says what the file holds
    assert rows[0][:4] == ["id", "time", "channel", "question"]
    assert len(rows) == 2
    rec = dict(zip(rows[0], rows[1]))
    assert rec["question"] == "设备现值，原值怎么算？"
    assert rec["answer"] == "第一行\n第二行，含逗号"
    assert rec["comment"] == '说"不清楚"' and rec["rating"] == "-1"
    path = store.write_csv(tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheet programs read the Chinese correctly
    assert len(list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))) == 4  # description, header, 2 rows


def test_concurrent_writers_lose_nothing(store):
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                qid = _log(store, f"线程{n}-问题{i}", channel="api")
                store.add_feedback(qid, 1 if i % 2 else -1)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    rows = store.questions(limit=10_000)
    assert len(rows) == 200
    assert sum(1 for q in rows if q.rating == -1) == 8 * 13


def test_store_reopens_existing_file(tmp_path):
    first = FeedbackStore(tmp_path)
    qid = _log(first)
    again = FeedbackStore(tmp_path)
    assert again.questions()[0].id == qid
