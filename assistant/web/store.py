"""The question log and the feedback of the web app, in one SQLite file (WAL mode).

Every answered question (chat UI, widget, REST API) is logged with its answer and citations;
applicants can rate an answer (up or down) with an optional comment. The help-desk console reads
both back, filters the thumbs-down ones and exports them as CSV.

One connection per call: SQLite connections are cheap, and this keeps the store safe to use from
the threads of uvicorn and Gradio without a lock of our own (WAL lets readers run while one writer
writes; ``busy_timeout`` makes concurrent writers wait instead of failing).

Not handled: retention and deletion policies, user accounts, or any analytics beyond listing.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

Channel = Literal["ui", "widget", "api"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ts          REAL    NOT NULL,
    channel     TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    refused     INTEGER NOT NULL DEFAULT 0,
    language    TEXT    NOT NULL DEFAULT 'zh',
    backend     TEXT    NOT NULL DEFAULT '',
    citations   TEXT    NOT NULL DEFAULT '[]',
    latency_ms  INTEGER
);
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    ts          REAL    NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_question ON feedback(question_id);
"""

MAX_COMMENT_CHARS = 2000


class UnknownQuestion(LookupError):
    """Feedback was sent for a question id that is not in the log."""


class LoggedQuestion(BaseModel):
    """One row of the review table: a question, its answer and the latest feedback on it."""

    id: int
    ts: float
    channel: str
    question: str
    answer: str
    refused: bool
    language: str
    backend: str
    citations: list[str] = Field(default_factory=list, description="Citations as 'short title locator'.")
    latency_ms: int | None = None
    rating: int | None = Field(default=None, description="+1 thumbs up, -1 thumbs down, None not rated.")
    comment: str = ""

    @property
    def time_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.ts))


class FeedbackStore:
    """The SQLite file ``<data_dir>/webapp.sqlite3``."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "webapp.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            # WAL is a property of the file: set once, it persists for every later connection.
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10.0)
        try:
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, and a log does not need FULL
            with db:  # one transaction, committed on success
                yield db
        finally:
            db.close()

    def journal_mode(self) -> str:
        with self._connect() as db:
            return db.execute("PRAGMA journal_mode").fetchone()[0]

    def log_question(
        self,
        *,
        channel: Channel,
        question: str,
        answer: str,
        refused: bool = False,
        language: str = "zh",
        backend: str = "",
        citations: list[str] | None = None,
        latency_ms: int | None = None,
    ) -> int:
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO questions (ts, channel, question, answer, refused, language, backend, citations, latency_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    channel,
                    question,
                    answer,
                    int(refused),
                    language,
                    backend,
                    json.dumps(citations or [], ensure_ascii=False),
                    latency_ms,
                ),
            )
            return int(cur.lastrowid)

    def add_feedback(self, question_id: int, rating: int, comment: str = "") -> int:
        """Record a rating (+1 or -1) on a logged answer; returns the feedback id."""
        if rating not in (-1, 1):
            raise ValueError("rating must be +1 (thumbs up) or -1 (thumbs down)")
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
        with self._connect() as db:
            if db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone() is None:
                raise UnknownQuestion(f"no answered question with id {question_id}")
            cur = db.execute(
                "INSERT INTO feedback (question_id, ts, rating, comment) VALUES (?, ?, ?, ?)",
                (question_id, time.time(), rating, comment),
            )
            return int(cur.lastrowid)

    def set_comment(self, feedback_id: int, comment: str) -> None:
        """Attach the optional comment to a rating given a moment earlier."""
        with self._connect() as db:
            cur = db.execute(
                "UPDATE feedback SET comment = ? WHERE id = ?",
                ((comment or "").strip()[:MAX_COMMENT_CHARS], feedback_id),
            )
            if cur.rowcount == 0:
                raise LookupError(f"no feedback with id {feedback_id}")

    def questions(self, *, only_negative: bool = False, limit: int = 500) -> list[LoggedQuestion]:
        """Newest first, each with its latest rating and comment (an applicant may change their mind)."""
        sql = """
            SELECT q.id, q.ts, q.channel, q.question, q.answer, q.refused, q.language, q.backend,
                   q.citations, q.latency_ms, f.rating, f.comment
            FROM questions q
            LEFT JOIN feedback f ON f.id = (
                SELECT id FROM feedback WHERE question_id = q.id ORDER BY ts DESC, id DESC LIMIT 1)
        """
        if only_negative:
            sql += " WHERE f.rating = -1"
        sql += " ORDER BY q.ts DESC, q.id DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(sql, (limit,)).fetchall()
        return [
            LoggedQuestion(
                id=r[0],
                ts=r[1],
                channel=r[2],
                question=r[3],
                answer=r[4],
                refused=bool(r[5]),
                language=r[6],
                backend=r[7],
                citations=json.loads(r[8] or "[]"),
                latency_ms=r[9],
                rating=r[10],
                comment=r[11] or "",
            )
            for r in rows
        ]

    def export_csv(self, *, only_negative: bool = False) -> str:
        """The review table as CSV text (UTF-8 with BOM when written by ``write_csv``, for Excel)."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "time", "channel", "question", "answer", "refused", "language", "backend",
                    "citations", "rating", "comment"])
        for q in self.questions(only_negative=only_negative, limit=1_000_000):
            w.writerow([q.id, q.time_text, q.channel, q.question, q.answer, int(q.refused), q.language,
                        q.backend, "; ".join(q.citations), "" if q.rating is None else q.rating, q.comment])
        return buf.getvalue()

    def write_csv(self, path: Path, *, only_negative: bool = False) -> Path:
        # utf-8-sig: Excel, which help desks use to read these, needs the BOM to read Chinese.
        Path(path).write_text(self.export_csv(only_negative=only_negative), encoding="utf-8-sig")
        return Path(path)
