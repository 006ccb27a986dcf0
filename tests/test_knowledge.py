"""The data files of corpus/ (catalog, versions, vocabulary): schema, and that every place they
point at is in the documents. Knowledge about the documents is data, so it is checked here, not
restated in code."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.bank import find_span
from assistant.knowledge import Knowledge

MEASURES, GUIDANCE, SUPPLY, OUTLINE, LIAONING = (
    "nqsl-measures-2023", "nqsl-guidance-2022", "qi-supply-chain-2024", "quality-power-outline-2023",
    "liaoning-qi-plan-draft-2022")


def test_every_document_has_an_english_title_and_names(knowledge):
    for d in knowledge.catalog.documents:
        assert d.title_en and d.role_en, d.id
        assert d.aliases, d.id


def test_every_status_has_one_label_in_each_language(knowledge, corpus_docs):
    statuses = knowledge.catalog.statuses
    for d in corpus_docs:
        label = statuses[d.meta.status]
        assert label.zh and label.en
    assert statuses["excerpt"].zh == "节选" and "节选" in statuses["excerpt"].cite_zh  # one wording


def test_printed_facts_are_verbatim_under_their_locators(knowledge, sources):
    n = 0
    for d in knowledge.catalog.documents:
        for field, places in d.printed.items():
            for pr in places:
                section = sources.section(pr.doc_id or d.id, pr.locator)
                assert section is not None, (d.id, field, pr.locator)
                assert find_span(section.text, pr.span), (d.id, field, pr.span)
                n += 1
    assert n >= 10


def test_the_referral_points_at_the_recommending_bodies(knowledge, sources):
    ref = knowledge.catalog.referral
    section = sources.section(ref.doc_id, ref.locator)
    assert section is not None and ref.anchor in section.text
    assert "{cite}" in ref.zh and "{cite}" in ref.en
    assert any(ref.later in d.text for d in sources.docs.values())


def test_version_pairs_point_at_wording_of_both_texts(knowledge, sources):
    assert knowledge.versions.pairs
    for pair in knowledge.versions.pairs:
        for side in (pair.new, pair.old):
            section = sources.section(side.doc_id, side.locator)
            assert section is not None and side.anchor in section.text, (pair.topic_en, side)
        assert pair.new.doc_id == knowledge.catalog.operative


@pytest.mark.parametrize(
    "text, named",
    [
        ("纲要里关于标准的要求", {OUTLINE}),
        ("五部门的指导意见里有什么目标", {SUPPLY}),  # 指导意见 here is the 2024 text's title
        ("五部门那个文件和2022年指导意见有什么不同", {SUPPLY, GUIDANCE}),
        ("指导意见和管理办法在评审机构上有何不同", {GUIDANCE, MEASURES}),
        ("What does the Liaoning draft say?", {LIAONING}),
        ("What is the document number of the Guiding Opinions?", {GUIDANCE}),
        ("What do the five ministries' guiding opinions say about metrology?", {SUPPLY}),  # its English title
        ("Under the five-department supply-chain guidance, how many stations?", {SUPPLY}),  # hyphenated or not
        ("申报条件是什么", set()),
    ],
)
def test_documents_are_named_by_their_aliases(text, named, knowledge):
    assert knowledge.catalog.named_documents(text) == named


@pytest.mark.parametrize("text, lang, facts", [
    ("管理办法的文号是多少？哪天印发的？", "zh", ["number", "date"]),
    ("辽宁方案起草时依据了哪些文件？", "zh", ["basis"]),
    ("When was it issued, and who issued it?", "en", ["date", "issuers"]),
    ("专家委员会由多少人组成？", "zh", []),
])
def test_the_facts_a_question_asks_of_a_document(text, lang, facts, knowledge):
    assert knowledge.catalog.asked_facts(text, lang)[0] == facts


@pytest.mark.parametrize("text, only", [
    ("附件: 《辽宁省质量基础设施建设实施方案》征求意见稿", True),
    ("关于质量基础设施助力产业链供应链 质量联动提升的指导意见", True),
    ("国家质量标准实验室管理办法", True),
    ("本办法自印发之日起施行。", False),
    ("2022年12月19日", False),  # a date, not a name
    ("辽宁省质量强省工作领导小组办公室", False),
    ("(二)基本原则", False),
])
def test_a_line_that_only_names_a_document(knowledge, text, only):
    assert knowledge.catalog.names_only(text) is only


def test_every_fact_asked_of_a_document_has_cues_in_both_languages(knowledge):
    cues = knowledge.catalog.fact_cues
    asked = {f for d in knowledge.catalog.documents for f in d.printed} | {"status"}
    assert asked <= set(cues.fields)
    assert all(c.get("zh") and c.get("en") and all(all(w.strip() for w in cue) for cue in c["zh"] + c["en"])
               for c in cues.fields.values())


def test_the_operative_rule_and_what_it_supersedes(knowledge):
    assert knowledge.catalog.operative == MEASURES
    assert knowledge.catalog.superseded_by(GUIDANCE) == MEASURES


def test_vocabulary_has_no_synonym_loop(knowledge):
    v = knowledge.vocabulary
    assert v.domain_words and v.stopwords["zh"] and v.stopwords["en"]
    for s in v.synonyms_zh:
        assert s.applicant and all(w.strip() for w in s.applicant + s.document)


def test_a_bad_data_file_fails_loudly_naming_the_file(tmp_path):
    from assistant.settings import ROOT

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    data = json.loads((corpus / "catalog.json").read_text(encoding="utf-8"))
    data["referral"].pop("anchor")
    (corpus / "catalog.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"catalog\.json does not match its schema(.|\n)*anchor"):
        Knowledge.load(corpus)
