"""Reading lab figures from free text: Chinese and English, traps, follow-ups, chat detection."""

from __future__ import annotations

import pytest

from assistant.eligibility import LabProfile, check, extract_profile, has_lab_figures
from assistant.eligibility.extract import parse_number


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我们科研用房4200平方米，设备现值6800万元，近五年国家级项目12项、经费2600万元，能申报吗？",
         dict(area_m2=4200, equipment_wan=6800, projects_count=12, projects_funding_wan=2600)),
        ("我院科研用房四千二百平方米，仪器设备现值六千八百万元，近五年承担国家级科研项目十二项",
         dict(area_m2=4200, equipment_wan=6800, projects_count=12)),
        ("研发场地约1.2万平方米，设备现值1.5亿元", dict(area_m2=12000, equipment_wan=15000)),
        ("仪器设备现值为68,000,000元，科研用房面积4,200㎡。", dict(equipment_wan=6800, area_m2=4200)),
        ("设备现值约6.8千万元，科研用房3千平方米", dict(equipment_wan=6800, area_m2=3000)),
        ("实验室用房1.5万平米，设备净值8000万元", dict(area_m2=15000, equipment_wan=8000)),
        ("近三年质量技术服务收入累计0.35亿元，转化成果3项", dict(service_revenue_wan=3500, transfers_3y=3)),
        ("近3年主导制定国家标准2项、行业标准2项、部门公告检验方法1项，团体标准6项", dict(standards_3y=5)),
        ("近三年我们主持制定了3项国家标准和4项行业标准", dict(standards_3y=7)),
        ("仪器设备现值大约七千万，用房面积四千平米", dict(equipment_wan=7000, area_m2=4000)),
        ("设备现值５２００万元，面积３５００平方米", dict(equipment_wan=5200, area_m2=3500)),
    ],
)
def test_chinese_figures(text, expected):
    profile = extract_profile(text)
    assert {k: getattr(profile, k) for k in expected} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Our lab has 4,500 square meters of research space and equipment with a present value of RMB 68 million. "
         "In the last five years we undertook 16 national-level research projects.",
         dict(area_m2=4500, equipment_wan=6800, projects_count=16)),
        ("We have about 2,800 m² of lab space, instruments worth 52 million yuan (current value), and 10 national "
         "projects over the past 5 years with total funding of 18 million yuan.",
         dict(area_m2=2800, equipment_wan=5200, projects_count=10, projects_funding_wan=1800)),
        ("Research space: 2,950 sq m; instruments (current value) CNY 45,000,000.", dict(area_m2=2950, equipment_wan=4500)),
        ("Equipment at present value of approximately RMB 0.12 billion, floor area about 5,200 square meters",
         dict(equipment_wan=12000, area_m2=5200)),
        ("In the past three years we led 4 national standards and transferred 10 technologies; our quality technical "
         "services brought in RMB 20 million.", dict(standards_3y=4, transfers_3y=10, service_revenue_wan=2000)),
    ],
)
def test_english_figures(text, expected):
    profile = extract_profile(text)
    assert {k: getattr(profile, k) for k in expected} == expected


def test_original_value_is_flagged_not_used():
    p = extract_profile("我们的仪器设备原值6000万元，科研用房5000平方米")
    assert p.equipment_wan is None and p.area_m2 == 5000
    assert [w.code for w in p.warnings if w.key == "equipment_wan"] == ["original_value"]
    report = check(p)
    assert report.criterion("equipment").status == "unknown"
    assert any("原值" in w for w in report.warnings)


def test_present_value_wins_over_original_value():
    assert extract_profile("设备原值7200万元，现值4600万元").equipment_wan == 4600
    assert extract_profile("设备原值8000万、现值5200万").equipment_wan == 5200
    assert extract_profile("Equipment: current value RMB 72.5 million, original value RMB 95 million.").equipment_wan == 7250
    assert extract_profile("Our instruments have an original value of RMB 80 million").equipment_wan is None


@pytest.mark.parametrize(
    "text, key",
    [
        ("近三年承担国家级项目18项", "projects_count"),
        ("近5年主导制定国家标准7项", "standards_3y"),
        ("Over the last three years we undertook 20 national research projects", "projects_count"),
        ("近五年累计转化科技成果20项", "transfers_3y"),
    ],
)
def test_wrong_window_is_flagged_not_used(text, key):
    p = extract_profile(text)
    assert getattr(p, key) is None
    assert any(w.code == "wrong_window" and w.key == key for w in p.warnings)
    assert has_lab_figures(text)  # the applicant did give figures: answer with a check


def test_window_carries_over_clauses_of_its_sentence():
    p = extract_profile("近3年提供质量技术服务金额3500万元，转化科技成果6项。近五年国家级项目16项")
    assert p.service_revenue_wan == 3500 and p.transfers_3y == 6 and p.projects_count == 16


def test_non_counting_items_are_flagged():
    p = extract_profile("近3年主导制修订国家标准4项，另有国际标准2项")
    assert p.standards_3y == 4
    assert any(w.code == "not_counted" for w in p.warnings)
    p = extract_profile("我们近五年省部级项目有30项，国家级项目6项")
    assert p.projects_count == 6
    assert any(w.code == "not_national" for w in p.warnings)


@pytest.mark.parametrize(
    "text, affiliation",
    [
        ("我们是国务院国资委监管的中央企业", "central"),
        ("我们是央企下属研究院", "central"),
        ("我校为教育部直属高校", "central"),
        ("中国科学院某研究所", "central"),
        ("我们是中央级科研院所", "central"),
        ("We are an institute of the Chinese Academy of Sciences", "central"),
        ("我们是省属高校", "local"),
        ("我们是地方国企", "local"),
        ("我们是一家民营企业", "local"),
        ("市属科研院所", "local"),
        ("省国资委监管企业", "local"),
        ("We are a provincial state-owned enterprise", "local"),
        ("我们是省级重点实验室", None),  # a level, not an affiliation
        ("近3年主导制定地方标准5项", None),
    ],
)
def test_affiliation_signals(text, affiliation):
    assert extract_profile(text).affiliation == affiliation


def test_level_years_and_declarations():
    p = extract_profile("我们是省级重点实验室，已运行3年，取得了具有国际影响的系统性原创成果，但没有积累质量标准数据")
    assert p.level == "provincial" and p.years_running == 3
    assert p.declared["achievements.original"] is True
    assert p.declared["achievements.data"] is False
    p = extract_profile("We are a provincial key laboratory that has been running for 4 years")
    assert p.level == "provincial" and p.years_running == 4
    assert extract_profile("市场监管总局重点实验室，运行1年").level == "ministerial"


def test_followup_corrects_a_figure():
    first = extract_profile("我们科研用房4200平方米，设备现值4800万元，近五年国家级项目16项。")
    second = extract_profile("设备其实是5200万", base=first)
    assert second.equipment_wan == 5200 and second.area_m2 == 4200 and second.projects_count == 16
    assert has_lab_figures("设备其实是5200万")
    report = check("设备其实是5200万", base=first)
    assert report.criterion("equipment").status == "met"


def test_followup_negated_value_and_stale_warning():
    first = extract_profile("科研用房3100平方米，近五年国家级项目10项，设备原值6000万元")
    assert any(w.code == "original_value" for w in first.warnings)
    second = extract_profile("不好意思，项目不是10项，是16项；设备现值5100万元", base=first)
    assert second.projects_count == 16 and second.equipment_wan == 5100 and second.area_m2 == 3100
    assert not any(w.code == "original_value" for w in second.warnings)


def test_merge_keeps_what_the_update_does_not_state():
    base = LabProfile(area_m2=3000, affiliation="central", declared={"team": True})
    merged = base.merge(LabProfile(equipment_wan=5000, declared={"achievements.data": True}))
    assert merged.area_m2 == 3000 and merged.equipment_wan == 5000 and merged.affiliation == "central"
    assert merged.declared == {"team": True, "achievements.data": True}


@pytest.mark.parametrize(
    "text",
    [
        "申报需要多少平方米？",
        "申报需要多少平方米?",
        "第十二条规定设备多少万？",
        "第十二条规定设备多少万?",
        "设备现值要求5000万元以上吗？",
        "项目总金额达到2000万元是指近五年吗？",
        "近3年主导制定标准不低于5项是什么意思？",
        "第十二条（四）3规定标准要几项？",
        "How many square meters of research space does an applicant need?",
        "What is the minimum equipment value? Is it 50 million yuan?",
        "国家质量标准实验室有几个？",
        "2023年发布的办法里第十二条说了什么",
        "",
        # Numbers in names and determiners, not figures of the lab.
        "五部门的指导意见计划建多少个国家产业计量测试中心和国家标准验证点？",
        "三部委联合发文支持哪些实验室？",
        "一个依托单位可以牵头建设几个国家质量标准实验室？",
        "国家质量标准实验室是一个什么样的平台？",
        "成果转化那一项，近3年要转化多少项？",
        "How many State Quality & Standards Laboratories will be built by the end of 2027?",
        # A year after "by the end of" / 到 is a date, even beside a topic word (service, 服务).
        "How many one-stop service stations should be built by the end of 2025?",
        "到2025年底要建成多少个一站式服务站点？",
    ],
)
def test_questions_about_thresholds_carry_no_lab_figures(text):
    assert has_lab_figures(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "我们科研用房4200平方米，能申报吗？",
        "科研用房3000平方米，设备现值5000万元，能申报吗？",
        "设备原值6000万元",
        "We have 3,600 square meters and RMB 48 million of equipment (present value).",
        "我们有3000平方米，够吗？",
    ],
)
def test_messages_with_lab_figures(text):
    assert has_lab_figures(text) is True


@pytest.mark.parametrize(
    "token, value",
    [("4200", 4200), ("4,200", 4200), ("1.5", 1.5), ("四千二百", 4200), ("两千六百万", 26_000_000),
     ("一点五亿", 150_000_000), ("十二点五万", 125_000), ("一万二", 12000), ("三千零五十", 3050), ("five", 5),
     ("万一", None), ("", None), ("abc", None)],
)
def test_parse_number(token, value):
    assert parse_number(token) == value


@pytest.mark.parametrize(
    "text, expected",
    [
        # a clause that names the topic without a figure hands it to the next clause
        ("设备600台套，价值8000万元", dict(equipment_wan=8000)),
        ("近五年承担国家级项目，共计15项，合同金额3100万元", dict(projects_count=15, projects_funding_wan=3100)),
        # English puts the window after the figure
        ("we have 16 national projects (last 5 years) and 3 standards led in the last 3 years",
         dict(projects_count=16, standards_3y=3)),
        ("In the last five years we undertook 16 national projects, and in the past three years we led 6 standards.",
         dict(projects_count=16, standards_3y=6)),
        # counts of people, papers, patents and sets are not figures of 第十二条
        ("我们有120名研究人员，近五年发表论文200篇，获得专利50项", {}),
    ],
)
def test_topic_carry_and_window_side(text, expected):
    p = extract_profile(text)
    assert {k: v for k, v in p.figures().items() if v is not None} == expected
