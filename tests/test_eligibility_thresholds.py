"""Table-driven tests of the rule: every threshold below / equal / above / missing, OR-paths,
the any-three of （四）, the verdict, the channel of 第十条 and the 省部级 priority."""

from __future__ import annotations

import pytest

from assistant.eligibility import LabProfile, check
from assistant.eligibility.evaluate import evaluate

MET, NOT, UNK, REV = "met", "not_met", "unknown", "needs_review"


def status(criterion: str, **figures) -> str:
    return evaluate(LabProfile(**figures)).criterion(criterion).status


@pytest.mark.parametrize(
    "criterion, key, threshold",
    [
        ("area", "area_m2", 3000),
        ("equipment", "equipment_wan", 5000),
        ("projects", "projects_count", 15),
        ("projects", "projects_funding_wan", 2000),
        ("achievements.standards", "standards_3y", 5),
        ("achievements.transfer", "transfers_3y", 15),
        ("achievements.transfer", "service_revenue_wan", 3000),
    ],
)
@pytest.mark.parametrize(
    "delta, kind_expected",
    [(-1, "below"), (0, "equal"), (1, "above"), (None, "missing")],
)
def test_each_threshold(criterion, key, threshold, delta, kind_expected):
    if delta is None:
        assert status(criterion) == UNK
        return
    value = threshold + delta
    got = status(criterion, **{key: value})
    if kind_expected == "below":
        # the other path of an OR is missing: not excluded yet
        other_paths = {"projects": 1, "achievements.transfer": 1}.get(criterion, 0)
        assert got == (UNK if other_paths else NOT)
    else:
        assert got == MET  # 以上 / 不少于 / 不低于 / 达到 include the threshold


@pytest.mark.parametrize(
    "count, funding, expected",
    [
        (15, None, MET),
        (None, 2000, MET),
        (14, 2000, MET),
        (15, 1999, MET),
        (14, 1999, NOT),
        (0, 0, NOT),
        (14, None, UNK),
        (None, 1999, UNK),
        (None, None, UNK),
        (30, 5000, MET),
    ],
)
def test_projects_or_path(count, funding, expected):
    assert status("projects", projects_count=count, projects_funding_wan=funding) == expected


@pytest.mark.parametrize(
    "transfers, revenue, expected",
    [(15, None, MET), (None, 3000, MET), (14, 2999, NOT), (14, 3000, MET), (14, None, UNK), (16, 10, MET)],
)
def test_transfer_or_path(transfers, revenue, expected):
    assert status("achievements.transfer", transfers_3y=transfers, service_revenue_wan=revenue) == expected


@pytest.mark.parametrize(
    "standards, leading, expected",
    [(5, None, MET), (4, None, NOT), (4, True, REV), (None, True, REV), (None, None, UNK), (6, True, MET), (4, False, NOT)],
)
def test_standards_with_the_leading_results_alternative(standards, leading, expected):
    declared = {} if leading is None else {"achievements.leading": leading}
    assert status("achievements.standards", standards_3y=standards, declared=declared) == expected


@pytest.mark.parametrize(
    "figures, declared, expected, count",
    [
        # two items on figures, one declared: three possible, one for the experts
        (dict(standards_3y=5, transfers_3y=15), {"achievements.data": True}, REV, 2),
        # two items on figures, nothing declared: the third is unknown
        (dict(standards_3y=5, transfers_3y=15), {}, UNK, 2),
        # nothing given
        ({}, {}, UNK, 0),
        # three declared qualitative items
        ({}, {"achievements.original": True, "achievements.innovation": True, "achievements.data": True}, REV, 0),
        # three items excluded: at most two left
        (dict(standards_3y=1, transfers_3y=1, service_revenue_wan=1), {"achievements.data": False}, NOT, 0),
        # two excluded, three still open
        (dict(standards_3y=1, transfers_3y=1, service_revenue_wan=1), {}, UNK, 0),
    ],
)
def test_achievements_any_three(figures, declared, expected, count):
    report = evaluate(LabProfile(**figures, declared=declared))
    assert report.criterion("achievements").status == expected
    assert report.achievements_count == count


@pytest.mark.parametrize("cid", ["facilities", "team", "research.authority", "research.breakthrough", "support"])
def test_qualitative_conditions_always_need_review(cid):
    assert status(cid) == REV
    assert status(cid, declared={cid: True}) == REV
    full = dict(area_m2=9999, equipment_wan=99999, projects_count=99, standards_3y=99, transfers_3y=99)
    assert status(cid, **full) == REV


@pytest.mark.parametrize("cid", ["achievements.original", "achievements.innovation", "achievements.data"])
def test_declared_items(cid):
    assert status(cid) == UNK
    assert status(cid, declared={cid: True}) == REV
    assert status(cid, declared={cid: False}) == NOT


FULL = dict(
    area_m2=3000,
    equipment_wan=5000,
    projects_count=15,
    standards_3y=5,
    transfers_3y=15,
    declared={"achievements.data": True},
)


@pytest.mark.parametrize(
    "change, overall, soft_only",
    [
        ({}, "likely_eligible", False),
        ({"area_m2": 2999}, "not_eligible", True),
        ({"equipment_wan": 4999}, "not_eligible", False),
        ({"area_m2": 2999, "equipment_wan": 4999}, "not_eligible", False),
        ({"projects_count": 14}, "incomplete", False),  # funding path still open
        ({"projects_count": 14, "projects_funding_wan": 1999}, "not_eligible", False),
        ({"area_m2": None}, "incomplete", False),
        ({"declared": {}}, "incomplete", False),  # （四） has only two items
        ({"declared": {"achievements.data": False, "achievements.original": False, "achievements.innovation": False}},
         "not_eligible", False),
    ],
)
def test_overall_verdict(change, overall, soft_only):
    report = evaluate(LabProfile(**{**FULL, **change}))
    assert report.overall == overall
    assert report.soft_only is soft_only


def test_gaps_are_computed_for_unmet_thresholds():
    report = evaluate(LabProfile(area_m2=2200, equipment_wan=4000, projects_count=10, projects_funding_wan=1500))
    gaps = {g.figure: g.missing for g in report.gaps}
    assert gaps == {"area_m2": 800, "equipment_wan": 1000, "projects_count": 5, "projects_funding_wan": 500}
    assert any("还差800平方米" in g.text for g in report.gaps)
    en = evaluate(report.profile, lang="en")
    assert any("short by 800 m²" in g.text for g in en.gaps)


@pytest.mark.parametrize(
    "affiliation, expected, recommender",
    [("central", "central", "主管部门"), ("local", "local", "省级市场监管部门、省级工业和信息化部门联合推荐"), (None, "unknown", None)],
)
def test_channel_of_article_10(affiliation, expected, recommender):
    ch = evaluate(LabProfile(affiliation=affiliation)).channel
    assert ch.affiliation == expected
    assert all(c.locator == "第十条" for c in ch.citations)
    if recommender:
        assert ch.recommender == recommender
        assert recommender in ch.citations[0].quote or "主管部门" in ch.citations[0].quote
    else:
        assert len(ch.citations) == 2


@pytest.mark.parametrize(
    "level, years, applies",
    [
        ("provincial", 2, True),
        ("ministerial", 5, True),
        ("provincial", 1.5, False),
        ("provincial", None, None),
        ("none", 10, False),
        (None, None, None),
    ],
)
def test_priority_is_not_a_condition(level, years, applies):
    report = evaluate(LabProfile(**FULL, level=level, years_running=years))
    assert report.priority.applies is applies
    assert report.priority.citation.locator == "第十二条"
    assert report.overall == "likely_eligible"  # the priority never changes the verdict


def test_required_criterion_ids_and_citations():
    report = check(LabProfile())
    ids = [c.id for c in report.criteria]
    for cid in ["area", "equipment", "projects", "achievements", "achievements.standards", "achievements.transfer",
                "facilities", "team", "research.authority", "research.breakthrough", "achievements.original",
                "achievements.innovation", "achievements.data", "support"]:
        assert cid in ids
    for c in report.criteria:
        assert c.citation.doc_id == "nqsl-measures-2023"
        assert c.citation.quote in c.citation.text
        assert c.citation.locator.startswith("第十二条")
    assert report.fields.locator == "第四条"
    assert report.host.citations[0].locator == "第五条"
