"""Keeping the knowledge current: policy files of each format read into the corpus (made here by
python-docx, reportlab and as HTML, see policy_files.py), broken files refused with nothing
changed, and the corpus changes the CLI makes (`add`, `remove`, `list`) followed by the index and
by the answers, with a new version superseding the old one.

One corpus (the 管理办法 and its bank) and one embedded Chroma index per module, changed step by
step by the tests in order; the real e5 embedder throughout.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

import policy_files as pf
from assistant.cli import app
from assistant.corpus.parsing import walk
from assistant.ingest import read_header, read_text
from assistant.settings import ROOT, Settings, StoreSettings

BASE_DOC = "nqsl-measures-2023"
NEW_ID = "nqsl-review-rules-2025"


def copy_corpus(out, doc_ids=(BASE_DOC,)):
    """A corpus directory holding some of the shipped documents, their bank and data files."""
    src = ROOT / "corpus"
    (out / "raw").mkdir(parents=True)
    catalog = json.loads((src / "catalog.json").read_text(encoding="utf-8"))
    entries = [e for e in catalog["documents"] if e["id"] in doc_ids]
    for e in entries:
        shutil.copy(src / "raw" / e["source_file"], out / "raw" / e["source_file"])
    (out / "catalog.json").write_text(json.dumps({**catalog, "documents": entries}, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    for name in ("versions.json", "vocabulary.json"):
        shutil.copy(src / name, out / name)
    shutil.copytree(src / "bank", out / "bank")
    return out


def snapshot(corpus_dir) -> dict[str, bytes]:
    return {str(p.relative_to(corpus_dir)): p.read_bytes() for p in sorted(corpus_dir.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def lib_env(tmp_path_factory, e5):
    """Settings, env and the built index of a one-document corpus in temp dirs."""
    from assistant.indexing import index_corpus
    from assistant.store import ChromaStore

    base = tmp_path_factory.mktemp("library")
    corpus = copy_corpus(base / "corpus")
    settings = Settings(corpus_dir=corpus, store=StoreSettings(path=base / "index"),
                        web={"data_dir": base / "data"})
    store = ChromaStore(settings.store)
    report = index_corpus(settings, embedder=e5, store=store)
    assert report.built
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    env.update({"QSL_CORPUS_DIR": str(corpus), "QSL_STORE__PATH": str(base / "index"),
                "QSL_WEB__DATA_DIR": str(base / "data"), "ANONYMIZED_TELEMETRY": "False"})
    runner = CliRunner()

    class Env:
        pass

    e = Env()
    e.settings, e.store, e.corpus, e.base, e.embedder = settings, store, corpus, base, e5
    e.cli = lambda *args: runner.invoke(app, [str(a) for a in args], env=env)
    return e


def assistant_for(lib_env):
    from assistant.assistant import Assistant
    from assistant.indexing import load_bank
    from assistant.corpus import load_corpus
    from assistant.corpus.sources import Sources
    from assistant.indexing import build_index

    docs = load_corpus(lib_env.settings.corpus_dir)
    bank = load_bank(lib_env.settings, Sources(docs))
    report = build_index(docs, lib_env.embedder, lib_env.store, lib_env.settings, bank=bank)
    return Assistant(lib_env.settings, docs, lib_env.embedder, lib_env.store, report, bank)


# -- reading files -------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", sorted(pf.FORMATS))
def test_each_format_reads_to_the_same_articles_and_header(ext, tmp_path):
    from assistant.library import Library

    draft = Library(copy_corpus(tmp_path / "c")).draft(pf.FORMATS[ext](), f"rules{ext}")
    m = draft.meta
    assert (m.title, m.number, m.date) == (pf.TITLE, pf.NUMBER, "2025-03-18")
    assert m.issuers == ["市场监管总局", "工业和信息化部"]
    assert m.kind == "实施细则" and m.status == "in_force"
    articles = [s for s in walk(draft.doc.root) if s.kind == "article"]
    assert [s.label for s in articles][:2] == ["第一条", "第二条"] and len(articles) == 30
    loc = {s.locator: s for s in walk(draft.doc.root)}
    assert "第六条（三）2（1）" in loc and loc["第六条（三）2（1）"].text.startswith("（1）强制性国家标准")
    assert "第六条（四）②" in loc
    assert "申报单位应当于每年4月30日前通过申报系统提交申报材料" in loc["第五条"].text
    assert draft.warnings == []
    text = draft.doc.text
    for furniture in ("- 1 -", "市场监管总局文件", "网站标识码", "首页", "tracker", "当前位置"):
        assert furniture not in text, furniture


def test_the_pdf_reader_joins_lines_the_page_width_broke():
    text = read_text(pf.pdf(), "rules.pdf")
    # 第六条's first line is longer than a printed line: it must come back whole
    line = next(x for x in text.split("\n") if x.startswith("第一条"))
    assert line.endswith("制定本细则。"), line


def test_header_facts_in_chinese_numerals_and_fields():
    facts = read_header("关于印发某某办法的说明\n某某省质量标准实验室管理办法（征求意见稿）\n发文机关：某某省市场监督管理局\n"
                        "发文日期：二〇二四年十一月五日\n第一条 为了……\n")
    assert facts.title == "某某省质量标准实验室管理办法" and facts.draft
    assert facts.date == "2024-11-05" and facts.issuers == ["某某省市场监督管理局"]


def test_a_text_without_structure_is_cut_into_paragraphs_with_a_warning(tmp_path):
    from assistant.library import Library

    body = ("关于做好国家质量标准实验室申报准备工作的提示\n"
            "各有关单位近期可着手整理近三年主持制定标准的情况，并核对仪器设备清单。\n"
            "申报系统将于每年三月开放，届时请关注市场监管总局网站发布的通知。\n"
            "材料不全的，推荐单位可以要求申报单位补正。\n")
    draft = Library(copy_corpus(tmp_path / "c")).draft(body.encode(), "notice.txt", date="2025-01-10",
                                                       title="关于做好国家质量标准实验室申报准备工作的提示")
    assert any("paragraph" in w and "段落" in w for w in draft.warnings)
    paragraphs = [s for s in draft.doc.root.children if s.kind == "paragraph"]
    assert [s.locator for s in paragraphs] == ["第1段", "第2段", "第3段"]
    assert paragraphs[1].text.startswith("申报系统将于每年三月开放")


# -- the CLI: bad input changes nothing ----------------------------------------------------------
@pytest.mark.parametrize("name", sorted(pf.broken()))
def test_a_broken_file_is_refused_with_nothing_changed(name, lib_env, tmp_path):
    f = tmp_path / name
    f.write_bytes(pf.broken()[name])
    before = snapshot(lib_env.corpus)
    result = lib_env.cli("add", f)
    assert result.exit_code == 2, result.output
    assert "error" in result.output.lower()
    assert name in result.output
    assert snapshot(lib_env.corpus) == before


def test_bad_arguments_are_refused_with_nothing_changed(lib_env, tmp_path):
    f = tmp_path / "rules.txt"
    f.write_bytes(pf.txt())
    before = snapshot(lib_env.corpus)
    for args, words in [
        (("add", tmp_path / "missing.txt"), "no such file"),
        (("add", f, "--supersedes", "no-such-doc"), "Unknown document"),
        (("add", f, "--status", "approved"), "Unknown status"),
        (("add", f, "--date", "last week"), "Invalid date"),
        (("add", f, "--id", "Bad Id!"), "Invalid document id"),
        (("add", f, "--id", BASE_DOC), "already in the corpus"),
        (("add", f, "--number", "国市监质发〔2023〕92号"), "already in the corpus"),
        (("remove", "no-such-doc"), "Unknown document"),
    ]:
        result = lib_env.cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)
    assert snapshot(lib_env.corpus) == before


# -- the CLI: add, re-add, supersede, remove (in this order) -------------------------------------
def test_add_indexes_only_the_new_document_and_its_articles_are_answered(lib_env, tmp_path):
    f = tmp_path / "rules.docx"
    f.write_bytes(pf.docx())
    chunks_before = lib_env.store.count()
    result = lib_env.cli("add", f, "--id", NEW_ID, "--alias", "评审细则")
    assert result.exit_code == 0, result.output
    assert "index updated" in result.output
    embedded = int(result.output.split("texts embedded")[0].rsplit("(", 1)[1])
    assert 0 < embedded < 150  # the new document's chunks and sentences, not the 管理办法's again
    assert lib_env.store.count() > chunks_before

    listed = lib_env.cli("list", "--json")
    ids = {d["id"]: d for d in json.loads(listed.output)}
    assert ids[NEW_ID]["number"] == pf.NUMBER and ids[NEW_ID]["status"] == "in_force"
    history = [json.loads(x) for x in (lib_env.corpus / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert history[-1]["action"] == "add" and history[-1]["doc_id"] == NEW_ID
    assert (lib_env.corpus / "originals" / f"{NEW_ID}.docx").read_bytes() == f.read_bytes()

    a = assistant_for(lib_env)
    answer = a.ask("评审细则规定申报材料每年什么时候之前要交？")
    assert not answer.refused, answer.text
    cited = {(c.doc_id, c.locator) for c in answer.citations}
    assert (NEW_ID, "第五条") in cited, answer.citations
    assert "4月30日" in answer.text
    c = next(c for c in answer.citations if c.doc_id == NEW_ID)
    assert c.quote in a.document(NEW_ID).text
    answer = a.ask("按评审细则，专家评审组至少要几名专家？")
    assert (NEW_ID, "第十八条") in {(c.doc_id, c.locator) for c in answer.citations}, answer.citations


def test_the_same_file_again_changes_nothing(lib_env, tmp_path):
    f = tmp_path / "rules.txt"
    f.write_bytes(pf.txt())
    before = snapshot(lib_env.corpus)
    live = lib_env.store.live_name()
    result = lib_env.cli("add", f)
    assert result.exit_code == 2 and "already in the corpus" in result.output, result.output
    assert snapshot(lib_env.corpus) == before and lib_env.store.live_name() == live


def test_a_new_version_supersedes_the_old_one(lib_env, tmp_path):
    changed = pf.txt(number="国市监质发〔2025〕30号").decode().replace("每年4月30日前", "每年5月31日前").encode()
    f = tmp_path / "rules-v2.txt"
    f.write_bytes(changed)
    result = lib_env.cli("add", f, "--supersedes", NEW_ID, "--id", "nqsl-review-rules-2025b")
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in json.loads(lib_env.cli("list", "--json").output)}
    assert docs[NEW_ID]["status"] == "superseded"
    assert docs["nqsl-review-rules-2025b"]["supersedes"] == [NEW_ID]
    assert docs["nqsl-review-rules-2025b"]["aliases"] == ["评审细则"]  # the name passed to the new version
    # only the changed article's texts were embedded
    embedded = int(result.output.split("texts embedded")[0].rsplit("(", 1)[1])
    assert embedded < 20, result.output

    a = assistant_for(lib_env)
    answer = a.ask("评审细则规定申报材料每年什么时候之前要交？")  # the note is the facade's: CLI, web and REST alike
    cited = {(c.doc_id, c.locator) for c in answer.citations}
    assert ("nqsl-review-rules-2025b", "第五条") in cited and not any(d == NEW_ID for d, _ in cited), cited
    assert "5月31日" in answer.text
    assert "旧版" in answer.text and "4月30日" in answer.text  # the difference is noted
    # the old version is kept and can still be read when asked for by document
    old = a.search("申报材料提交时间", k=3, doc_ids=[NEW_ID])
    assert old and all(p.doc_id == NEW_ID for p in old)


def test_remove_takes_out_chunks_bank_entries_and_lexical_rows(lib_env):
    from assistant.curation import Curator

    cur = Curator.from_settings(lib_env.settings)
    cur.answered("复审的时候专家组最少几个人", "nqsl-review-rules-2025b", "第十八条",
                 "专家评审组由不少于7名专家组成", asks="figure")
    result = lib_env.cli("remove", "nqsl-review-rules-2025b")
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in json.loads(lib_env.cli("list", "--json").output)}
    assert "nqsl-review-rules-2025b" not in docs
    assert docs[NEW_ID]["status"] == "in_force"  # the version it replaced is current again
    a = assistant_for(lib_env)
    assert not any(c.doc_id == "nqsl-review-rules-2025b" for c in a.retriever.chunks)  # lexical rows too
    got = lib_env.store.collection().get(where={"doc_id": "nqsl-review-rules-2025b"}, include=[])
    assert got["ids"] == []
    assert not any(e.data.doc_id == "nqsl-review-rules-2025b" for e in a.bank.entries)
    assert ("cur-" in cur.flagged()[0][0]) and "no longer" in cur.flagged()[0][1]
    archived = list((lib_env.corpus / "archive").glob("nqsl-review-rules-2025b-*/*"))
    assert any(p.name == "nqsl-review-rules-2025b.txt" for p in archived)


# -- curated answers (after the removal above, NEW_ID is the current 实施细则 again) ------------
def test_a_curated_entry_answers_a_paraphrase_with_its_span_and_counts_hits(lib_env):
    from assistant.curation import Curator, HitCounts
    from assistant.live import LiveAssistant

    live = LiveAssistant(assistant_for(lib_env), interval_s=0.0)
    cur = Curator.from_settings(lib_env.settings)
    span = "形式审查由推荐单位在收到申报材料后15个工作日内完成"
    entry = cur.answered("推荐单位形式审查要在多长时间内做完？", NEW_ID, "第十二条", span, answer="15个工作日内",
                         asks="duration", more_questions=["How long does the formal check take?"], by="desk-1")
    assert entry.source == "curated" and entry.id.startswith("cur-")
    saved = [json.loads(x) for x in lib_env.settings.curated_path.read_text(encoding="utf-8").splitlines()]
    assert any(e["id"] == entry.id and e["span"] == span for e in saved)
    assert not any("curated" in p.name for p in (lib_env.corpus / "bank").iterdir())  # not in the shipped bank
    assert live.follow(wait=True) and live.last_error is None
    assert entry.id in live.bank.by_id()

    answer = live.ask("递交材料后形式审查得审多久？")
    assert not answer.refused, answer.text
    c = next(c for c in answer.citations if c.doc_id == NEW_ID)
    quote = "".join(c.quote.split())
    assert c.locator == "第十二条" and (span in quote or quote in span), c
    assert "15个工作日" in answer.text
    assert HitCounts.from_settings(lib_env.settings).counts().get(entry.id) == 1


def test_a_not_answered_entry_says_so_and_whom_to_ask(lib_env):
    from assistant.curation import Curator
    from assistant.live import LiveAssistant

    live = LiveAssistant(assistant_for(lib_env), interval_s=0.0)
    cur = Curator.from_settings(lib_env.settings)
    cur.unanswered("申报评审要交评审费吗？", NEW_ID, "第十二条", missing="figure",
                   note="评审细则没有规定评审费用，请向所在省级市场监管部门咨询。")
    live.follow(wait=True)
    answer = live.ask("参加评审需不需要缴费？")
    assert answer.refused, answer.text


def test_a_curated_span_that_left_its_document_is_flagged_and_not_served(lib_env):
    from assistant.curation import Curator
    from assistant.live import LiveAssistant

    live = LiveAssistant(assistant_for(lib_env), interval_s=0.0)
    cur = Curator.from_settings(lib_env.settings)
    entry = next(e for e in cur.entries() if e.locator == "第十二条" and e.answered)
    raw = lib_env.corpus / "raw" / f"{NEW_ID}.txt"
    raw.write_text(raw.read_text(encoding="utf-8").replace("15个工作日内完成", "20个工作日内完成"), encoding="utf-8")
    live.follow(wait=True)
    assert entry.id not in live.bank.by_id()
    flagged = dict(cur.flagged())
    assert entry.id in flagged and "span" in flagged[entry.id]
    answer = live.ask("递交材料后形式审查得审多久？")
    assert "15个工作日" not in answer.text


def test_curated_entries_export_and_import_as_json_lines(lib_env, tmp_path):
    from assistant.curation import Curator

    out = tmp_path / "curated.jsonl"
    result = lib_env.cli("bank", "export", out)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines and all(x["source"] == "curated" for x in lines)
    cur = Curator.from_settings(lib_env.settings)
    before = lib_env.settings.curated_path.read_bytes()
    # an entry whose span is not in its article: the whole file is refused
    bad = dict(lines[0], id="cur-bad", span="本细则自发布之日起施行", answer="施行", asks="date", answered=True)
    bad.pop("missing", None), bad.pop("note", None)
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [*lines, bad]) + "\n", encoding="utf-8")
    result = lib_env.cli("bank", "import", f)
    assert result.exit_code == 2 and "nothing was saved" in result.output, result.output
    assert lib_env.settings.curated_path.read_bytes() == before
    f.write_text("not json\n", encoding="utf-8")
    assert lib_env.cli("bank", "import", f).exit_code == 2
    # a good one round-trips
    good = dict(lines[0], id="cur-imported", doc_id=NEW_ID, questions=[{"q": "评审结果在哪里公示？", "style": "plain"}],
                locator="第二十五条", span="评审结果在市场监管总局网站公示，公示期为10个工作日", answer="10个工作日",
                asks="duration", answered=True)
    good.pop("missing", None), good.pop("note", None)
    f.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    result = lib_env.cli("bank", "import", f)
    assert result.exit_code == 0, result.output
    assert "cur-imported" in {e.id for e in cur.entries()}
