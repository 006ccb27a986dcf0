"""The question bank (corpus/bank/): every entry valid against the documents, every part of the
documents covered, no evaluation question in it, and its questions kept in the index incrementally."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.bank import BankEntry, BankError, QuestionBank, trigrams, find_span, near_copy, question_key
from assistant.corpus import walk
from assistant.settings import ROOT, StoreSettings

EVAL = ROOT / "eval"


def test_every_entry_loads_and_every_span_is_verbatim_under_its_locator(bank, sources):
    """QuestionBank.load(strict) has checked each span; here the resolved offsets are checked again."""
    assert len(bank.entries) > 600
    for e in bank.entries:
        if e.start < 0:
            continue
        doc = sources.docs[e.span_doc]
        assert doc.text[e.start:e.end].replace(" ", "").replace("\n", "")
        if e.data.kind == "passage":
            section = sources.section(e.data.doc_id, e.data.locator)
            assert section.start <= e.start and e.end <= section.end, e.id
            assert find_span(section.text, e.data.span), e.id
        if e.answer_start >= 0:
            assert e.start <= e.answer_start < e.answer_end <= e.end, e.id


def test_answered_entries_ask_in_the_ways_applicants_do(bank):
    for e in bank.entries:
        if e.data.kind != "passage" or not e.data.answered:
            continue
        styles = Counter(q.style for q in e.data.questions)
        assert len(e.data.questions) >= 5 and styles["english"] >= 1 and styles["plain"] + styles["colloquial"] >= 2, e.id


def test_no_question_is_written_twice(bank):
    keys = Counter(question_key(q.q) for _, q in bank.questions())
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_lowest_section_of_every_document_is_answered_by_some_entry(bank, corpus_docs):
    covered: dict[str, set[str]] = {}
    for e in bank.entries:
        if e.answered and e.start >= 0:
            covered.setdefault(e.span_doc, set()).add((e.start, e.end))
    missing = []
    for d in corpus_docs:
        for node in walk(d.root):
            if node.children or node.kind == "document":
                continue
            spans = covered.get(d.meta.id, set())
            if not any(node.start <= s and e <= node.end for s, e in spans):
                missing.append((d.meta.id, node.locator))
    assert missing == []


def test_the_bank_answers_and_leaves_open_and_declines(bank):
    kinds = Counter((e.kind, e.answered) for e in bank.entries)
    assert kinds[("passage", True)] > 500
    assert kinds[("passage", False)] > 100  # questions the documents do not answer, with who to ask
    assert kinds[("document_fact", True)] and kinds[("document_fact", False)]  # 文号 of a reprint: not printed
    assert {e.data.scope for e in bank.entries if e.kind == "scope"} == {"instructions", "roleplay", "off_topic", "greeting"}


def test_document_facts_are_answered_where_the_catalog_says_they_are_printed(bank, sources):
    by_id = bank.by_id()
    number = by_id["fact-nqsl-measures-2023-number"]
    assert number.quotable and sources.docs[number.span_doc].text[number.start:number.end] == "国市监质发〔2023〕92号"
    guidance = by_id["fact-nqsl-guidance-2022-number"]
    assert guidance.quotable and guidance.span_doc == "nqsl-measures-2023"  # printed in the 管理办法's notice
    assert not by_id["fact-qi-supply-chain-2024-number"].answered  # the reprint gives none


# -- no evaluation question in the bank --------------------------------------------------------

def _eval_questions() -> list[tuple[str, str]]:
    out = []
    for path in sorted(EVAL.glob("*.jsonl")):
        if "eligibility" in path.name:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                for turn in record.get("turns", [record]):
                    out.append((path.name, turn["question"]))
    return out


@pytest.mark.parametrize("a, b, same", [
    ("专家委员会任期多长？", "专家委员会任期多长", True),
    ("企业首席质量官要新增多少人？", "首席质量官要新增多少人", True),
    ("专家委员会任期多长？", "学术委员会主任由谁担任？", False),
    ("What is the term of the expert committee?", "what is the term of the expert committee", True),
])
def test_the_near_copy_rule(a, b, same):
    assert near_copy(a, b) is same


def test_no_evaluation_question_or_a_near_copy_of_one_is_in_the_bank(bank):
    evals = _eval_questions()
    assert len(evals) > 400
    index: dict[str, list[tuple[str, str]]] = {}
    for name, q in evals:
        for g in trigrams(question_key(q)):
            index.setdefault(g, []).append((name, q))
    leaks = []
    for e, bq in bank.questions():
        seen = set()
        for g in trigrams(question_key(bq.q)):
            for name, q in index.get(g, []):
                if (name, q) not in seen:
                    seen.add((name, q))
                    if near_copy(bq.q, q):
                        leaks.append((e.id, bq.q, name, q))
    assert leaks == []


# -- loading fails loudly, nothing half-loaded --------------------------------------------------

def _entry(**kw) -> str:
    base = {"id": "t-1", "doc_id": "nqsl-measures-2023", "locator": "第九条", "span": "专家委员会任期两年。",
            "answer": "专家委员会任期两年", "asks": "duration",
            "questions": [{"q": "专家委员会任期多久？", "style": "formal"}]}
    base.update(kw)
    return json.dumps(base, ensure_ascii=False)


@pytest.mark.parametrize("line, message", [
    (_entry(span="专家委员会任期三年。", answer="任期三年"), r"t-1.*span not verbatim under 第九条"),
    (_entry(locator="第九十九条"), r"no section '第九十九条'"),
    (_entry(answer="任期三年"), r"answer .* is not inside its span"),
    (_entry(asks="colour"), r"asks"),
    ('{"id": "t-1", "questions": []}', r"questions"),
    ("not json", r"bank\.jsonl:1"),
])
def test_a_bad_entry_is_refused_naming_its_file_and_line(line, message, tmp_path, sources, knowledge):
    (tmp_path / "bank.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(BankError, match=message):
        QuestionBank.load(tmp_path, sources, catalog=knowledge.catalog)


def test_a_duplicate_id_is_refused(tmp_path, sources, knowledge):
    (tmp_path / "a.jsonl").write_text(_entry() + "\n" + _entry() + "\n", encoding="utf-8")
    with pytest.raises(BankError, match="already used"):
        QuestionBank.load(tmp_path, sources, catalog=knowledge.catalog)


def test_a_not_answered_entry_needs_what_is_missing_and_a_note():
    with pytest.raises(ValueError, match="missing and note"):
        BankEntry.model_validate_json(_entry(answered=False, span=None, answer=None))
    e = BankEntry.model_validate_json(_entry(answered=False, missing="figure", note="文件未规定。", span=None, answer=None))
    assert not e.answered


# -- the bank in the index -------------------------------------------------------------------------

def test_the_bank_is_synced_incrementally(tmp_path, e5):
    from assistant.store import ChromaStore

    store = ChromaStore(StoreSettings(path=tmp_path / "index"))
    rows = [(f"r{i}", q, {"entry": "e", "style": "formal"}) for i, q in enumerate(["专家委员会任期多久", "建设期多长", "谁推荐"])]
    assert store.sync_bank(rows, e5.embed_queries, e5.name) == (3, 0)
    assert store.sync_bank(rows, e5.embed_queries, e5.name) == (0, 0)  # unchanged: nothing written
    changed = rows[1:] + [("r9", "验收结论有几种", {"entry": "e", "style": "plain"})]
    assert store.sync_bank(changed, e5.embed_queries, e5.name) == (1, 1)
    ids, vecs = store.bank_vectors(e5.name)
    assert sorted(ids) == ["r1", "r2", "r9"] and vecs.shape == (3, 384)


def test_rows_derive_their_ids_from_entry_and_text(bank):
    rows = bank.rows()
    assert len({r.id for r in rows}) == len(rows)
    assert rows == QuestionBank(list(bank.entries)).rows()  # the same bank, the same ids


def test_the_bank_documentation_names_every_field(bank):
    readme = (ROOT / "corpus" / "bank" / "README.md").read_text(encoding="utf-8")
    for name in BankEntry.model_fields:
        assert f"`{name}`" in readme, name
