"""Pure evaluation of a ``LabProfile`` against 第十二条: statuses, verdict, channel, gaps, next steps.

Statuses per condition:
  met           the figure reaches the threshold (以上 / 不少于 / 不低于 / 达到 include it);
  not_met       the figure is below it (for an OR-path: every path is below);
  unknown       the figure was not given (for an OR-path: no path met and one is missing);
  needs_review  only the expert review can judge (qualitative conditions; declared items of （四）).

（四） needs any three of five items. Items 3 and 4 are read from figures; item 3 also holds through
国际领先技术成果, which counts (as needs_review) only when the applicant declares it. Items 1, 2, 5
are declared → needs_review, denied → not_met, not mentioned → unknown. The aggregate is met when
three items are met, not_met when fewer than three remain possible, needs_review when three are
met-or-declared, otherwise unknown.

Overall verdict (only the decisive criteria area, equipment, projects, achievements):
  not_eligible     any decisive criterion is not_met. When the only miss is the 原则上 area,
                   ``soft_only`` is set and the wording says exceptions are for the review;
  incomplete       no miss, but a decisive criterion is unknown (a figure or a （四） item missing);
  likely_eligible  all decisive criteria met (（四） possibly through declared items); the
                   qualitative conditions remain for the expert review, hence "likely".

Nothing here reads text or files except the clause text through ``conditions.load_measures``.
"""

from __future__ import annotations

from assistant.eligibility.conditions import (
    CHANNEL_CENTRAL,
    CHANNEL_LOCAL,
    CONDITION_BY_ID,
    CONDITIONS,
    CONSORTIUM,
    DECISIVE,
    FIELDS,
    FIGURE_LABEL,
    HOST,
    PRIORITY,
    Condition,
    MeasuresText,
    Threshold,
    load_measures,
)
from assistant.eligibility.profile import LabProfile
from assistant.eligibility.report import (
    ChannelResult,
    CriterionResult,
    EligibilityReport,
    Gap,
    HostResult,
    PriorityResult,
)


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _num(v: float) -> str:
    v = round(float(v), 2)
    return f"{int(v)}" if v.is_integer() else f"{v:g}"


def _qty(v: float, unit: str, lang: str) -> str:
    if unit == "m2":
        return _t(lang, f"{_num(v)}平方米", f"{v:,.0f} m²" if float(v).is_integer() else f"{v:,} m²")
    if unit == "wan_yuan":
        return _t(lang, f"{_num(v)}万元", f"RMB {_num(v / 100)} million ({_num(v)}万元)")
    return _t(lang, f"{_num(v)}项", f"{_num(v)}")


def _sentence(text: str, lang: str) -> str:
    text = text[:1].upper() + text[1:] if lang == "en" else text
    return text + _t(lang, "。", ".")


def _test(t: Threshold, profile: LabProfile) -> str:
    v = getattr(profile, t.figure)
    if v is None:
        return "unknown"
    return "met" if v >= t.threshold else "not_met"


def _gap(c: Condition, t: Threshold, profile: LabProfile, lang: str) -> Gap:
    v = getattr(profile, t.figure)
    missing = t.threshold - v
    label = FIGURE_LABEL[lang][t.figure]
    text = _t(lang, f"{label}：还差{_qty(missing, t.unit, lang)}（现为{_qty(v, t.unit, lang)}，须{_qty(t.threshold, t.unit, lang)}）",
              f"{label}: short by {_qty(missing, t.unit, lang)} (now {_qty(v, t.unit, lang)}, needed {_qty(t.threshold, t.unit, lang)})")  # fmt: skip
    return Gap(criterion_id=c.id, figure=t.figure, value=v, threshold=t.threshold, missing=missing, unit=t.unit, text=text)


def _flag_note(profile: LabProfile, figure: str, lang: str) -> str:
    """Why a figure is missing although the applicant gave a number for it."""
    for w in profile.warnings:
        if w.key == figure and w.code in ("original_value", "wrong_window", "upper_bound", "not_national"):
            return _t(lang, f"（{w.message_zh.rstrip('。')}）", f" ({w.message_en.rstrip('.')})")
    return ""


def _part(t: Threshold, profile: LabProfile, lang: str) -> str:
    v = getattr(profile, t.figure)
    label = FIGURE_LABEL[lang][t.figure]
    need = _qty(t.threshold, t.unit, lang)
    if v is None:
        return _t(lang, f"{label}未提供（须{need}以上）", f"{label} not given (at least {need} needed)") + _flag_note(profile, t.figure, lang)
    got = _qty(v, t.unit, lang)
    if v >= t.threshold:
        return _t(lang, f"{label}{got}，达到{need}", f"{label} {got} reaches {need}")
    return _t(lang, f"{label}{got}，不足{need}", f"{label} {got} is below {need}")


def _threshold_criterion(c: Condition, profile: LabProfile, lang: str, measures: MeasuresText) -> CriterionResult:
    results = [_test(t, profile) for t in c.tests]
    if "met" in results:
        status = "met"
    elif c.alternative and profile.declared.get(c.alternative):
        status = "needs_review"
    elif results and all(r == "not_met" for r in results):
        status = "not_met"
    else:
        status = "unknown"
    parts = [_part(t, profile, lang) for t in c.tests]
    if len(parts) > 1:
        # Lead with the path that holds; say that one path is enough.
        order = sorted(range(len(parts)), key=lambda i: results[i] != "met")
        detail = _t(lang, "；或", "; or ").join(parts[i] for i in order)
        detail += _t(lang, "（满足其一即可）", " (either is enough)")
    else:
        detail = parts[0]
    if c.alternative:
        if profile.declared.get(c.alternative):
            detail += _t(lang, "；申请人说明拥有国际领先技术成果，由专家认定", "; the applicant declares internationally leading results, for the experts to judge")  # fmt: skip
        elif status != "met":
            detail += _t(lang, "；国际领先技术成果亦可满足本项（未说明）", "; internationally leading results would also satisfy this item (not declared)")  # fmt: skip
    if c.soft and status == "not_met":
        detail += _t(lang, "（“原则上”要求，例外由推荐单位和专家评审把握）", " (an in-principle requirement: exceptions are for the recommending body and the review)")  # fmt: skip
    gaps = [_gap(c, t, profile, lang) for t, r in zip(c.tests, results) if r == "not_met"] if status == "not_met" else []
    return CriterionResult(
        id=c.id,
        title=_t(lang, c.title_zh, c.title_en),
        status=status,
        detail=_sentence(detail, lang),
        citation=measures.citation(c.locator, c.quote),
        figures={t.figure: getattr(profile, t.figure) for t in c.tests},
        thresholds={t.figure: t.threshold for t in c.tests},
        soft=c.soft,
        gaps=gaps,
    )


def _qualitative(c: Condition, profile: LabProfile, lang: str, measures: MeasuresText) -> CriterionResult:
    said = profile.declared.get(c.id)
    if c.kind == "qualitative":
        status = "needs_review"
        detail = _t(lang, "定性条件，由专家评审认定", "Qualitative condition, judged by the expert review")
        if said:
            detail += _t(lang, "；申请人已作说明", "; the applicant has described it")
    elif said is True:
        status = "needs_review"
        detail = _t(lang, "申请人说明具备，由专家评审认定", "Declared by the applicant; judged by the expert review")
    elif said is False:
        status = "not_met"
        detail = _t(lang, "申请人说明不具备", "The applicant says the lab does not have this")
    else:
        status = "unknown"
        detail = _t(lang, "未说明是否具备", "Not stated")
    return CriterionResult(
        id=c.id,
        title=_t(lang, c.title_zh, c.title_en),
        status=status,
        detail=detail + _t(lang, "。", "."),
        citation=measures.citation(c.locator, c.quote),
    )


def _any_three(c: Condition, done: dict[str, CriterionResult], lang: str, measures: MeasuresText):
    statuses = [done[m].status for m in c.members]
    met = statuses.count("met")
    review = statuses.count("needs_review")
    unknown = statuses.count("unknown")
    not_met = statuses.count("not_met")
    if met >= 3:
        status = "met"
    elif met + review + unknown < 3:
        status = "not_met"
    elif met + review >= 3:
        status = "needs_review"
    else:
        status = "unknown"
    detail = _t(
        lang,
        f"五项须具备任意三项：{met}项按数字满足，{review}项待专家认定，{unknown}项未说明，{not_met}项不满足。",
        f"Any three of five are needed: {met} met on the figures, {review} for expert review, "
        f"{unknown} not stated, {not_met} not met.",
    )
    result = CriterionResult(
        id=c.id,
        title=_t(lang, c.title_zh, c.title_en),
        status=status,
        detail=detail,
        citation=measures.citation(c.locator, c.quote),
    )
    return result, met, review, met + review + unknown


def _channel(profile: LabProfile, lang: str, measures: MeasuresText) -> ChannelResult:
    central = measures.citation(CHANNEL_CENTRAL.locator, CHANNEL_CENTRAL.quote)
    local = measures.citation(CHANNEL_LOCAL.locator, CHANNEL_LOCAL.quote)
    if profile.affiliation == "central":
        return ChannelResult(
            affiliation="central",
            recommender=_t(lang, "主管部门", "its competent department (主管部门)"),
            detail=_t(lang, "中央级单位，由其主管部门负责推荐（第十条）。",
                      "A central-level body: recommended by its competent department (主管部门) (第十条)."),
            citations=[central],
        )  # fmt: skip
    if profile.affiliation == "local":
        return ChannelResult(
            affiliation="local",
            recommender=_t(lang, "省级市场监管部门、省级工业和信息化部门联合推荐",
                           "the provincial market regulation department and the provincial industry and IT department, jointly"),
            detail=_t(lang, "地方单位，由省级市场监管部门、省级工业和信息化部门联合推荐（第十条）。",
                      "A local body: recommended jointly by the provincial market regulation department and the "
                      "provincial industry and IT department (第十条)."),
            citations=[local],
        )  # fmt: skip
    return ChannelResult(
        affiliation="unknown",
        recommender=_t(lang, "视隶属关系而定", "depends on the affiliation"),
        detail=_t(lang, "未能判断隶属关系：中央级科研院所、高等院校及中央直属企业由主管部门推荐；地方单位由省级市场监管部门、省级工业和信息化部门联合推荐（第十条）。",
                  "Affiliation not known: central-level institutes, universities and central enterprises are "
                  "recommended by their competent department; local ones jointly by the provincial market "
                  "regulation and industry-and-IT departments (第十条)."),
        citations=[central, local],
    )  # fmt: skip


def _priority(profile: LabProfile, lang: str, measures: MeasuresText) -> PriorityResult:
    cit = measures.citation(PRIORITY.locator, PRIORITY.quote)
    level, years = profile.level, profile.years_running
    name = {"provincial": _t(lang, "省级", "provincial"), "ministerial": _t(lang, "部级", "ministerial")}
    if level in name and years is not None and years >= 2:
        applies = True
        detail = _t(lang, f"{name[level]}实验室已运行{_num(years)}年，原则上优先推荐（优先，不是条件）。",
                    f"A {name[level]} lab running for {_num(years)} years: in principle recommended with priority "
                    "(a priority, not a condition).")  # fmt: skip
    elif level in name and years is not None:
        applies = False
        detail = _t(lang, f"{name[level]}实验室运行{_num(years)}年，未满两年，暂不享有优先推荐（不影响申报条件）。",
                    f"A {name[level]} lab running for {_num(years)} years, under two: no priority yet "
                    "(this is not a condition).")  # fmt: skip
    elif level in name:
        applies = None
        detail = _t(lang, f"{name[level]}实验室；运行满两年的原则上优先推荐，请说明运行年限。",
                    f"A {name[level]} lab; those running two years or more are recommended with priority. "
                    "How long has it been running?")  # fmt: skip
    elif level == "none":
        applies = False
        detail = _t(lang, "不是省部级实验室，不享有优先推荐（不影响申报条件）。",
                    "Not a provincial or ministerial lab: no priority (this is not a condition).")  # fmt: skip
    else:
        applies = None
        detail = _t(lang, "未说明是否为省部级实验室；已运行两年以上的省部级实验室原则上优先推荐。",
                    "Not stated whether the lab is provincial or ministerial; such labs running two years or more "
                    "are in principle recommended with priority.")  # fmt: skip
    return PriorityResult(applies=applies, detail=detail, citation=cit)


_HOST_NAME = {
    "research_institute": ("科研院所", "research institute"),
    "university": ("高等院校", "university"),
    "enterprise": ("企业", "enterprise"),
    "consortium": ("联合体", "consortium"),
}


def _host(profile: LabProfile, lang: str, measures: MeasuresText) -> HostResult:
    host = measures.citation(HOST.locator, HOST.quote)
    if profile.host_type == "consortium":
        return HostResult(
            host_type="consortium",
            detail=_t(lang, "联合体申报，第五条鼓励产学研用合作组建联合体。",
                      "A consortium: 第五条 encourages industry-university-research consortia."),
            citations=[measures.citation(CONSORTIUM.locator, CONSORTIUM.quote)],
        )  # fmt: skip
    if profile.host_type:
        zh, en = _HOST_NAME[profile.host_type]
        return HostResult(
            host_type=profile.host_type,
            detail=_t(lang, f"依托单位为{zh}，属第五条所列类型（科研院所、高等院校、企业）。",
                      f"The host is a {en}, one of the host types of 第五条 (institutes, universities, enterprises)."),
            citations=[host],
        )  # fmt: skip
    return HostResult(
        host_type=None,
        detail=_t(lang, "未说明依托单位类型；第五条要求依托科研院所、高等院校或企业建设，鼓励组建联合体。",
                  "Host type not stated; 第五条: labs are built on research institutes, universities or "
                  "enterprises, and consortia are encouraged."),
        citations=[host],
    )  # fmt: skip


def _next_steps(profile: LabProfile, by_id: dict[str, CriterionResult], channel: ChannelResult, lang: str) -> list[str]:
    steps: list[str] = []
    for cid in ("area", "equipment", "projects", "achievements.standards", "achievements.transfer"):
        c, r = CONDITION_BY_ID[cid], by_id[cid]
        if r.status == "unknown":
            steps.append(_t(lang, f"补充{c.hint_zh}（{c.locator}）。", f"Give the {c.hint_en} ({c.locator})."))
        elif r.status == "not_met":
            if c.soft:
                steps.append(_t(lang, f"{c.title_zh}未达到原则上的要求：请与推荐单位沟通能否例外，或先扩充科研用房（{c.locator}）。",
                                f"{c.title_en} is below the in-principle threshold: ask the recommending body whether an "
                                f"exception is possible, or extend the space first ({c.locator})."))  # fmt: skip
            else:
                steps.append(_t(lang, f"{c.title_zh}未达到：补足差距后再申报（{c.locator}）。",
                                f"{c.title_en} is not met: close the gap before applying ({c.locator})."))  # fmt: skip
    ach = by_id["achievements"]
    if ach.status in ("unknown", "not_met"):
        # Items 3 and 4 are asked for above as figures; here the declarable ones.
        missing = [
            CONDITION_BY_ID[m]
            for m in CONDITION_BY_ID["achievements"].members
            if by_id[m].status == "unknown" and CONDITION_BY_ID[m].kind == "declared"
        ]
        if missing:
            names_zh = "、".join(m.locator.replace("第十二条", "") for m in missing)
            names_en = ", ".join(m.locator.replace("第十二条", "") for m in missing)
            steps.append(_t(lang, f"（四）须具备任意三项：请说明{names_zh}的情况并准备证明材料。",
                            f"(4) needs any three items: describe {names_en} and prepare the evidence."))  # fmt: skip
    if ach.status == "needs_review":
        steps.append(_t(lang, "准备（四）中申报项目的证明材料（成果清单、标准文本、转化合同、服务合同等）。",
                        "Prepare the evidence for the items of (4) you rely on (results, standards, transfer and service contracts)."))  # fmt: skip
    steps.append(_t(lang, "准备定性条件材料：设施条件（（一））、学术委员会与研究团队（（二））、权威性与技术突破（（三）2、3）、依托单位保障措施（（五））。",
                    "Prepare the material for the qualitative conditions: facilities ((1)), academic committee and team "
                    "((2)), authority and breakthroughs ((3)2–3), the host's support ((5))."))  # fmt: skip
    steps.append(_t(lang, "对照第四条所列产业基础领域和重点领域，说明实验室研究方向。",
                    "Show how the research direction fits the fields listed in 第四条."))  # fmt: skip
    if channel.affiliation == "central":
        steps.append(_t(lang, "向主管部门提出申请，由其推荐（第十条）。", "Apply through your competent department, which recommends (第十条)."))
    elif channel.affiliation == "local":
        steps.append(_t(lang, "向省级市场监管部门和省级工业和信息化部门提出申请，由其联合推荐（第十条）。",
                        "Apply to the provincial market regulation and industry-and-IT departments, which recommend jointly (第十条)."))  # fmt: skip
    else:
        steps.append(_t(lang, "确认隶属关系（中央级或地方），以确定推荐单位（第十条）。",
                        "Confirm whether the host is central-level or local to know who recommends (第十条)."))  # fmt: skip
    return steps


def _verdict(by_id: dict[str, CriterionResult], lang: str) -> tuple[str, str, bool]:
    missed = [cid for cid in DECISIVE if by_id[cid].status == "not_met"]
    unknown = [cid for cid in DECISIVE if by_id[cid].status == "unknown"]
    names = lambda ids: _t(lang, "、", ", ").join(by_id[i].title for i in ids)  # noqa: E731
    if missed:
        soft_only = all(CONDITION_BY_ID[cid].soft for cid in missed)
        if soft_only:
            return "not_eligible", _t(lang, f"{names(missed)}未达到第十二条“原则上”的要求；其余数字条件不构成障碍，是否例外由推荐单位和专家评审把握。",
                                      f"{names(missed)} is below the in-principle (原则上) threshold of 第十二条; whether an "
                                      "exception is possible is for the recommending body and the review."), True  # fmt: skip
        return "not_eligible", _t(lang, f"未达到第十二条的条件：{names(missed)}。", f"Article 12 conditions not met: {names(missed)}."), False
    if unknown:
        return "incomplete", _t(lang, f"尚缺信息：{names(unknown)}。已提供的数字条件未见不满足。",
                                f"Missing information: {names(unknown)}. No condition given so far is failed."), False  # fmt: skip
    return "likely_eligible", _t(lang, "数字条件均已满足，（四）达到三项（其中定性项待专家认定）；定性条件由专家评审认定。",
                                 "All figure conditions are met and (4) reaches three items (qualitative ones pending "
                                 "review); the qualitative conditions are for the expert review."), False  # fmt: skip


def evaluate(profile: LabProfile, lang: str = "zh", measures: MeasuresText | None = None) -> EligibilityReport:
    """Evaluate ``profile`` against 第十二条 and return the report in ``lang`` (zh or en)."""
    lang = "en" if lang == "en" else "zh"
    measures = measures or load_measures()
    by_id: dict[str, CriterionResult] = {}
    counts = (0, 0, 0)
    for c in CONDITIONS:
        if c.kind in ("threshold", "any_of"):
            by_id[c.id] = _threshold_criterion(c, profile, lang, measures)
        elif c.kind in ("qualitative", "declared"):
            by_id[c.id] = _qualitative(c, profile, lang, measures)
    for c in CONDITIONS:
        if c.kind == "any_three":
            by_id[c.id], *counts = _any_three(c, by_id, lang, measures)
    criteria = [by_id[c.id] for c in CONDITIONS]
    overall, overall_detail, soft_only = _verdict(by_id, lang)
    channel = _channel(profile, lang, measures)
    gaps = [g for r in criteria for g in r.gaps]
    return EligibilityReport(
        language=lang,
        overall=overall,
        overall_detail=overall_detail,
        soft_only=soft_only,
        figures=profile.figures(),
        criteria=criteria,
        achievements_count=counts[0],
        achievements_review=counts[1],
        achievements_possible=counts[2],
        channel=channel,
        priority=_priority(profile, lang, measures),
        host=_host(profile, lang, measures),
        fields=measures.citation(FIELDS.locator, FIELDS.quote),
        gaps=gaps,
        next_steps=_next_steps(profile, by_id, channel, lang),
        warnings=[w.message(lang) for w in profile.warnings],
        profile=profile,
    )
