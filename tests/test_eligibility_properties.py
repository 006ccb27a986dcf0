"""Property-based tests (hypothesis): numbers and units read back as written; no input crashes."""

from __future__ import annotations

from decimal import Decimal

import cn2an
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.eligibility import check, extract_profile, has_lab_figures, render

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _area_formats(n: int) -> list[str]:
    out = [f"{n}平方米", f"{n:,}平方米", f"{n}㎡", f"{n} m²", f"{n}m2", f"{n:,} square meters", f"{n}平米",
           f"{n} sqm", f"约{n}平方米", f"about {n:,} square metres", cn2an.an2cn(n) + "平方米"]
    if n % 1000 == 0 and n >= 10000:
        out.append(f"{Decimal(n) / 10000}万平方米".replace(".0万", "万"))
    return out


@FAST
@given(n=st.integers(min_value=1, max_value=500_000), data=st.data())
def test_area_round_trip(n, data):
    rendered = data.draw(st.sampled_from(_area_formats(n)))
    frame = data.draw(st.sampled_from(["我们科研用房{}。", "实验室面积{}，能申报吗？", "Research floor area: {}.", "Our lab has {} of space."]))
    assert extract_profile(frame.format(rendered)).area_m2 == n


def _money_formats(wan: Decimal) -> list[str]:
    out = [f"{wan}万元", f"{wan:,}万元", f"{wan * 10000:,.0f}元", f"RMB {wan / 100} million", f"{wan / 100} million yuan",
           f"CNY {wan * 10000:,.0f}", f"人民币{wan}万元", f"{wan}万"]
    if wan == wan.to_integral_value() and wan < 10000:
        out.append(cn2an.an2cn(int(wan)) + "万元")
    if wan >= 1000:
        out.append(f"{wan / 10000}亿元")
    return out


@FAST
@given(
    wan=st.decimals(min_value=1, max_value=999_999, places=1, allow_nan=False, allow_infinity=False),
    data=st.data(),
)
def test_equipment_money_round_trip(wan, data):
    rendered = data.draw(st.sampled_from(_money_formats(wan)))
    frame = data.draw(st.sampled_from(["仪器设备现值{}。", "设备现值约{}，想申报。", "Equipment present value: {}.",
                                       "instruments worth {} (current value)"]))
    got = extract_profile(frame.format(rendered)).equipment_wan
    assert got is not None and abs(Decimal(str(got)) - wan) < Decimal("0.001")


@FAST
@given(wan=st.integers(min_value=1, max_value=99_999), data=st.data())
def test_original_value_never_counts(wan, data):
    frame = data.draw(st.sampled_from(["仪器设备原值{}万元", "设备账面原值{}万元", "equipment original value RMB {} 0000 yuan"]))
    text = frame.format(wan)
    assert extract_profile(text).equipment_wan is None


@FAST
@given(n=st.integers(min_value=0, max_value=300), data=st.data())
def test_counts_round_trip(n, data):
    num = data.draw(st.sampled_from([str(n), cn2an.an2cn(n)]))
    key, frame = data.draw(
        st.sampled_from(
            [
                ("projects_count", "近5年承担国家级科研项目{}项"),
                ("projects_count", "近五年国家级项目共{}个"),
                ("standards_3y", "近3年主导制定国家标准{}项"),
                ("transfers_3y", "近三年累计转化科技成果{}项"),
            ]
        )
    )
    assert getattr(extract_profile(frame.format(num)), key) == n


@FAST
@given(n=st.integers(min_value=0, max_value=300))
def test_english_counts_round_trip(n):
    p = extract_profile(f"In the last five years we undertook {n} national projects. In the past three years we led "
                        f"{n} national standards and transferred {n} research results.")
    assert (p.projects_count, p.standards_3y, p.transfers_3y) == (n, n, n)


@FAST
@given(wan=st.integers(min_value=1, max_value=50_000), years=st.sampled_from([1, 2, 4, 10]))
def test_wrong_window_is_never_used(wan, years):
    text = f"近{years}年国家级项目{wan}项，项目总金额{wan}万元"
    p = extract_profile(text)
    assert p.projects_count is None and p.projects_funding_wan is None


_FRAGMENTS = [
    "我们", "科研用房", "设备", "现值", "原值", "近5年", "近三年", "国家级项目", "标准", "转化", "服务收入", "万元",
    "亿", "千万", "平方米", "㎡", "m²", "项", "，", "。", "；", "不是", "其实", "约", "4200", "3,000", "1.5", "0",
    "四千二百", "两千", "一点五", "RMB", "million", "yuan", "square meters", "the last 5 years", "原则上", "央企",
    "省属", "中国科学院", "?", "？", "要求", "100000000000000000000", "-1", "1e9", "％", "第十二条", "（四）3",
    "\n", " ", "万万", "点点", "亿亿亿", ",,,", "...",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_no_crash_on_composed_inputs(parts):
    text = "".join(parts)
    report = check(text)
    assert report.overall in ("likely_eligible", "not_eligible", "incomplete")
    assert all(v is None or v >= 0 for v in report.figures.values())
    has_lab_figures(text)
    render(report, "zh")
    render(report, "en")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
def test_no_crash_on_any_text(text):
    report = check(text)
    assert report.overall in ("likely_eligible", "not_eligible", "incomplete")
    has_lab_figures(text)
    assert render(report)


def test_long_inputs_do_not_crash():
    for text in ["项目12项、" * 2000, "1,2,3,4,5 万 亿 " * 1000, "设备" * 10000 + "5000万元"]:
        assert check(text).overall in ("likely_eligible", "not_eligible", "incomplete")
