"""第十二条 as data: every quote is a verbatim span of the measures, every locator resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.eligibility.conditions import (
    CHANNEL_CENTRAL,
    CHANNEL_LOCAL,
    CONDITIONS,
    CONSORTIUM,
    DOC_ID,
    FIELDS,
    HOST,
    PRIORITY,
    default_measures_path,
    load_measures,
)
from assistant.settings import Settings

RAW = Path(default_measures_path()).read_text(encoding="utf-8")
REFERENCES = [PRIORITY, CHANNEL_CENTRAL, CHANNEL_LOCAL, HOST, CONSORTIUM, FIELDS]


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: c.id)
def test_condition_quote_is_verbatim_in_measures(condition):
    assert condition.quote in RAW
    assert condition.quote in load_measures().section(condition.locator)
    if condition.alternative_quote:
        assert condition.alternative_quote in load_measures().section(condition.locator)


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.locator + r.quote[:6])
def test_reference_quote_is_verbatim_in_measures(ref):
    assert ref.quote in RAW
    assert ref.quote in load_measures().section(ref.locator)


def test_thresholds_are_the_numbers_of_article_12():
    by_id = {c.id: c for c in CONDITIONS}
    table = {
        (cid, t.figure): t.threshold for cid, c in by_id.items() for t in c.tests
    }
    assert table == {
        ("area", "area_m2"): 3000,
        ("equipment", "equipment_wan"): 5000,
        ("projects", "projects_count"): 15,
        ("projects", "projects_funding_wan"): 2000,
        ("achievements.standards", "standards_3y"): 5,
        ("achievements.transfer", "transfers_3y"): 15,
        ("achievements.transfer", "service_revenue_wan"): 3000,
    }
    # Each threshold number is printed in the clause quoted for it.
    for c in CONDITIONS:
        for t in c.tests:
            assert str(int(t.threshold)) in c.quote
    assert by_id["area"].soft and "原则上" in by_id["area"].quote
    assert not any(c.soft for c in CONDITIONS if c.id != "area")
    assert "现值" in by_id["equipment"].quote


def test_clause_spans_match_the_corpus_parser():
    """The clause texts cited are the same spans the corpus parser produces for those locators."""
    from assistant.corpus import load_catalog, load_document
    from assistant.corpus.parsing import walk

    corpus_dir = Settings().corpus_dir
    meta = next(m for m in load_catalog(corpus_dir) if m.id == DOC_ID)
    doc = load_document(corpus_dir, meta)
    sections = {s.locator: s for s in walk(doc.root)}
    measures = load_measures()
    for c in CONDITIONS:
        assert c.quote in doc.text
        assert sections[c.locator].text == measures.section(c.locator)
    for ref in REFERENCES:
        assert ref.quote in doc.text
    assert meta.title == measures.citation("第十二条（一）", CONDITIONS[0].quote).doc_title


def test_unknown_locator_and_foreign_quote_are_refused():
    m = load_measures()
    with pytest.raises(KeyError):
        m.section("第九十九条")
    with pytest.raises(ValueError):
        m.citation("第十二条（一）", "设备现值4000万元以上")
