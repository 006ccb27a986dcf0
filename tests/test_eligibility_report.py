"""The report in both languages, the LangChain tool, the CLI entry and the eval harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage

from assistant.eligibility import EligibilityReport, check, render
from assistant.eligibility.cli import cli_check
from assistant.eligibility.conditions import default_measures_path
from assistant.eligibility.tool import check_lab_eligibility
from assistant.evaluation.eligibility import format_eligibility_eval, run_eligibility_eval

RAW = Path(default_measures_path()).read_text(encoding="utf-8")
CASES = Path(__file__).resolve().parent.parent / "eval" / "eligibility_cases.jsonl"
ZH = "我们是省属高校，科研用房2200平方米，设备现值6800万元，近五年国家级项目12项、经费2600万元。"
EN = "We are a central SOE. Our lab has 2,200 square meters and equipment worth RMB 68 million at present value."


def test_language_follows_the_question():
    assert check(ZH).language == "zh"
    assert check(EN).language == "en"
    assert check(ZH, lang="en").language == "en"


def test_render_chinese():
    report = check(ZH)
    text = render(report)
    assert "总体判断" in text and "暂不符合" in text
    assert "还差800平方米" in text
    assert "省级市场监管部门、省级工业和信息化部门联合推荐" in text
    assert "第十二条（一）“现有科研用房相对集中，原则上面积在3000 平方米以上”" in text
    assert "{" not in text and '"status"' not in text


def test_render_english_keeps_chinese_quotes():
    report = check(EN)
    text = render(report)
    assert "Overall" in text and "not eligible" in text
    assert "short by 800 m²" in text
    assert "competent department" in text
    assert "“仪器设备现值5000万元以上”" in text  # quotes stay verbatim Chinese
    assert "{" not in text
    # the same report rendered in the other language
    assert "总体判断" in render(report, "zh")


def test_every_quote_in_a_report_is_verbatim():
    report = check(ZH)
    cits = [c.citation for c in report.criteria] + report.channel.citations + report.host.citations
    cits += [report.priority.citation, report.fields]
    for c in cits:
        assert c.quote in RAW
        assert c.text in RAW
        assert c.quote in c.text
        assert c.doc_id == "nqsl-measures-2023" and c.doc_title == "国家质量标准实验室管理办法"


def test_report_round_trips_as_json():
    report = check(ZH)
    again = EligibilityReport.model_validate_json(report.model_dump_json())
    assert again == report
    assert set(report.figures) == {"area_m2", "equipment_wan", "projects_count", "projects_funding_wan",
                                   "standards_3y", "transfers_3y", "service_revenue_wan"}


def test_tool_schema_and_plain_invoke():
    schema = check_lab_eligibility.args
    assert check_lab_eligibility.name == "check_lab_eligibility"
    for key in ("area_m2", "equipment_wan", "projects_count", "projects_funding_wan", "standards_3y",
                "transfers_3y", "service_revenue_wan", "affiliation", "level", "years_running", "declared"):
        assert key in schema
    text = check_lab_eligibility.invoke({"area_m2": 2500, "equipment_wan": 6000, "lang": "en"})
    assert isinstance(text, str) and "short by 500 m²" in text


def test_tool_call_returns_the_report_as_artifact():
    msg = check_lab_eligibility.invoke(
        {
            "name": "check_lab_eligibility",
            "args": {"area_m2": 3000, "equipment_wan": 5000, "projects_count": 15, "standards_3y": 5,
                     "transfers_3y": 15, "declared": ["achievements.data"], "affiliation": "central"},
            "id": "call-1",
            "type": "tool_call",
        }
    )
    assert isinstance(msg, ToolMessage)
    report = EligibilityReport.model_validate(msg.artifact)
    assert report.overall == "likely_eligible"
    assert report.channel.affiliation == "central"
    assert "初步符合" in msg.content


def test_tool_rejects_negative_figures():
    with pytest.raises(Exception):
        check_lab_eligibility.invoke({"area_m2": -1})


def test_cli_check_text_json_and_profile(tmp_path):
    out = cli_check(ZH, None, False)
    assert "总体判断" in out
    data = json.loads(cli_check(ZH, None, True))
    assert data["overall"] == "not_eligible" and data["figures"]["area_m2"] == 2200
    profile = tmp_path / "lab.json"
    profile.write_text(json.dumps({"area_m2": 3200, "equipment_wan": 4800}), encoding="utf-8")
    data = json.loads(cli_check(None, str(profile), True))
    assert data["figures"]["equipment_wan"] == 4800
    # text on top of a profile acts as a follow-up
    data = json.loads(cli_check("设备其实是5200万", str(profile), True))
    assert data["figures"] == {**data["figures"], "area_m2": 3200, "equipment_wan": 5200}
    with pytest.raises(ValueError):
        cli_check(None, None, False)
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError):
        cli_check(None, str(bad), False)


def test_check_accepts_dict_and_profile_with_base():
    from assistant.eligibility import LabProfile

    base = LabProfile(area_m2=3000)
    report = check({"equipment_wan": 4000}, base=base)
    assert report.figures["area_m2"] == 3000 and report.criterion("equipment").status == "not_met"


def test_eval_harness_reaches_the_targets():
    result = run_eligibility_eval(CASES)
    assert result["cases"] >= 40
    assert result["crashes"] == 0
    assert result["figures"]["accuracy"] >= 0.97
    assert result["criteria"]["accuracy"] >= 0.98
    text = format_eligibility_eval(result)
    assert "figure extraction" in text


def test_eval_harness_reports_failures(tmp_path):
    case = {"id": "wrong-on-purpose", "text": "科研用房4200平方米", "expected_figures": {"area_m2": 4000},
            "expected_status": {"area": "not_met"}, "expected_overall": "not_eligible"}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_eligibility_eval(path)
    assert result["figures"]["accuracy"] == 0 and result["criteria"]["accuracy"] == 0
    assert {f["what"] for f in result["failures"]} == {"figure area_m2", "status area", "overall"}
