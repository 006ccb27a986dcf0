"""The command line, pointed at the session index through the environment (QSL_STORE__PATH):
`python -m assistant index | search` as a user runs them (subprocess), and error exits through
typer's CliRunner."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import ROOT


def env_for(built_index) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    return {**env, "QSL_STORE__PATH": str(built_index.path), "ANONYMIZED_TELEMETRY": "False"}


def run(args: list[str], built_index) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env_for(built_index),
                          capture_output=True, text=True, timeout=300)


def test_search_json_gives_k_passages(built_index, docs_by_id):
    out = run(["search", "实验室建设期满不能完成怎么办", "--k", "3", "--json"], built_index)
    assert out.returncode == 0, out.stderr
    passages = json.loads(out.stdout)
    assert len(passages) == 3
    for p in passages:
        assert {"doc_id", "doc_title", "locator", "text", "score"} <= p.keys()
        assert p["text"] and p["locator"] and isinstance(p["score"], float)
        assert docs_by_id[p["doc_id"]].text[p["start"]:p["end"]] == p["text"]
        assert p["doc_title"] == docs_by_id[p["doc_id"]].meta.title
    assert "第十八条" in [p["locator"] for p in passages]


def test_index_reports_up_to_date_on_a_second_run(built_index):
    # the session fixture was the first run; this is the second, in another process
    out = run(["index"], built_index)
    assert out.returncode == 0, out.stderr
    assert "already up to date" in out.stdout
    assert f"fingerprint {built_index.report.fingerprint}" in out.stdout
    assert f"{built_index.report.chunks} chunks" in out.stdout


@pytest.fixture(scope="module")
def cli(built_index):
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), env=env_for(built_index))


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_exits_non_zero_with_a_message(query, cli):
    result = cli("search", query, "--k", "3")
    assert result.exit_code == 2
    assert "question is empty" in result.output + (result.stderr or "")


def test_k_out_of_range_exits_non_zero_with_a_message(cli):
    result = cli("search", "建设期限", "--k", "51")
    assert result.exit_code == 2
    assert "k must be between 1 and 50" in result.output + (result.stderr or "")


def test_search_filters_by_document(cli):
    result = cli("search", "质量基础设施", "--k", "4", "--doc", "liaoning-qi-plan-draft-2022", "--json")
    assert result.exit_code == 0, result.output
    passages = json.loads(result.stdout)
    assert len(passages) == 4 and {p["doc_id"] for p in passages} == {"liaoning-qi-plan-draft-2022"}


def test_plain_search_prints_ranked_citations(cli):
    result = cli("search", "第十八条", "--k", "2")
    assert result.exit_code == 0, result.output
    assert "1. 《国家质量标准实验室管理办法》第十八条" in result.stdout
    assert "建设期限一般不超过2年" in result.stdout
