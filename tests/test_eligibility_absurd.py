"""Absurd figures in free text are flagged and not used (issue 10): a negative floor area was read
as 4200 平方米 (met), and 1e308 as 1 (not met)."""

from __future__ import annotations

import pytest

from assistant import eligibility


@pytest.mark.parametrize("text,key", [
    ("我们科研用房−4200平方米，设备现值6800万元", "area_m2"),
    ("科研用房-4200平方米", "area_m2"),
    ("科研用房负4200平方米", "area_m2"),
    ("科研用房1e308平方米", "area_m2"),
    ("设备现值1e308万元", "equipment_wan"),
    ("设备现值4.2E3万元", "equipment_wan"),
    ("Our lab space is -4200 square meters.", "area_m2"),
])
def test_absurd_figures_are_flagged_not_read(text, key):
    report = eligibility.check(text)
    assert getattr(report.profile, key) is None, text
    flagged = [w for w in report.profile.warnings if w.code == "implausible"]
    assert flagged and flagged[0].key == key
    assert {c.id: c.status for c in report.criteria}["area" if key == "area_m2" else "equipment"] == "unknown"
    assert eligibility.has_lab_figures(text)  # the chat answers with the check, showing the warning
    assert flagged[0].message("zh") in eligibility.render(report, "zh")


@pytest.mark.parametrize("text,area", [
    ("科研用房4200平方米", 4200),
    ("科研用房3000-4200平方米", 4200),  # a range, not a negative number
])
def test_ordinary_figures_still_read(text, area):
    profile = eligibility.check(text).profile
    assert profile.area_m2 == area
    assert not [w for w in profile.warnings if w.code == "implausible"]


def test_other_figures_of_the_message_are_kept():
    profile = eligibility.check("我们科研用房−4200平方米，设备现值6800万元").profile
    assert profile.equipment_wan == 6800
