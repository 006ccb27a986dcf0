"""The eligibility report (pydantic) and its plain-text rendering in Chinese or English.

``EligibilityReport`` is what ``evaluate`` produces and what the chat, the CLI (``--json``) and the
REST API serialise. ``render_text`` turns it into a short markdown-light text in its language:
verdict, channel, priority, one line per condition with its citation, gaps, next steps, warnings.
Quotes of the measures stay in Chinese in both languages (they are verbatim spans). No JSON in
the rendering.

This module does not evaluate anything; ``assistant.eligibility.render`` renders a report in the
other language by evaluating its stored profile again (the evaluation is pure and cheap).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.eligibility.profile import LabProfile
from assistant.types import Citation

Status = Literal["met", "not_met", "unknown", "needs_review"]
Overall = Literal["likely_eligible", "not_eligible", "incomplete"]
Lang = Literal["zh", "en"]


class Gap(BaseModel):
    criterion_id: str
    figure: str = Field(description="Canonical figure key.")
    value: float = Field(description="The lab's figure.")
    threshold: float
    missing: float = Field(description="How much is missing to reach the threshold.")
    unit: str = Field(description="m2, wan_yuan (万元) or items.")
    text: str = Field(description="The gap in words, e.g. 还差800平方米.")


class CriterionResult(BaseModel):
    id: str = Field(description="area, equipment, projects, achievements.standards …")
    title: str
    status: Status
    detail: str = Field(description="One-line reason, in the report's language.")
    citation: Citation
    figures: dict[str, float | int | None] = Field(default_factory=dict, description="Figures this criterion reads.")
    thresholds: dict[str, float] = Field(default_factory=dict)
    soft: bool = Field(default=False, description="原则上 (in principle) threshold.")
    gaps: list[Gap] = Field(default_factory=list)


class ChannelResult(BaseModel):
    affiliation: Literal["central", "local", "unknown"]
    recommender: str = Field(description="Who recommends the application (推荐单位).")
    detail: str
    citations: list[Citation]


class PriorityResult(BaseModel):
    applies: bool | None = Field(description="True: 省部级 lab running ≥ 2 years; None: not enough information.")
    detail: str
    citation: Citation


class HostResult(BaseModel):
    host_type: str | None
    detail: str
    citations: list[Citation]


class EligibilityReport(BaseModel):
    language: Lang
    overall: Overall
    overall_detail: str
    soft_only: bool = Field(
        default=False, description="not_eligible only because of the 原则上 area threshold."
    )
    figures: dict[str, float | int | None] = Field(description="The canonical figures used.")
    criteria: list[CriterionResult]
    achievements_count: int = Field(description="Items of 第十二条（四） met on the figures (of the three needed).")
    achievements_review: int = Field(description="Items of （四） declared and left to the expert review.")
    achievements_possible: int = Field(description="Items of （四） not excluded (met + review + unknown).")
    channel: ChannelResult
    priority: PriorityResult
    host: HostResult
    fields: Citation = Field(description="第四条: the fields the lab should serve (guidance, not a condition).")
    gaps: list[Gap] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    profile: LabProfile = Field(description="The profile the report was computed from.")

    def criterion(self, criterion_id: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def statuses(self) -> dict[str, str]:
        return {c.id: c.status for c in self.criteria}


_STATUS_LABEL = {
    "zh": {"met": "满足", "not_met": "不满足", "unknown": "待补充", "needs_review": "待专家认定"},
    "en": {"met": "met", "not_met": "not met", "unknown": "missing", "needs_review": "expert review"},
}
_OVERALL_LABEL = {
    "zh": {"likely_eligible": "初步符合", "not_eligible": "暂不符合", "incomplete": "信息不全"},
    "en": {"likely_eligible": "likely eligible", "not_eligible": "not eligible", "incomplete": "incomplete"},
}
_HEADINGS = {
    "zh": {
        "title": "申报条件初步核对（《国家质量标准实验室管理办法》第十二条）",
        "overall": "总体判断",
        "channel": "推荐渠道",
        "priority": "优先推荐",
        "host": "依托单位",
        "criteria": "逐项核对",
        "basis": "依据",
        "gaps": "差距",
        "next": "下一步",
        "warnings": "提示",
        "note": "说明：本核对只按第十二条比对您提供的数字；定性条件由专家评审认定，结果不代表评审结论。",
    },
    "en": {
        "title": "Eligibility check against Article 12 (第十二条) of 《国家质量标准实验室管理办法》",
        "overall": "Overall",
        "channel": "Recommendation channel",
        "priority": "Priority",
        "host": "Host institution",
        "criteria": "Condition by condition",
        "basis": "Basis",
        "gaps": "Gaps",
        "next": "Next steps",
        "warnings": "Notes",
        "note": "This check compares the figures you gave with Article 12 only; the qualitative conditions "
        "are judged by the expert review, so this is not a review decision.",
    },
}


def render_text(report: EligibilityReport) -> str:
    """Plain text (markdown-light) in the report's language; quotes of the measures stay Chinese.
    In another language: ``assistant.eligibility.render`` (it evaluates the profile again)."""
    lang = report.language
    h = _HEADINGS[lang]
    status = _STATUS_LABEL[lang]
    colon = "：" if lang == "zh" else ": "
    lines = [f"**{h['title']}**", ""]
    lines.append(f"{h['overall']}{colon}**{_OVERALL_LABEL[lang][report.overall]}** — {report.overall_detail}")
    lines.append(f"{h['channel']}{colon}{report.channel.detail}")
    lines.append(f"{h['priority']}{colon}{report.priority.detail}")
    lines.append(f"{h['host']}{colon}{report.host.detail}")
    lines += ["", f"**{h['criteria']}**"]
    for c in report.criteria:
        lines.append(f"- [{status[c.status]}] {c.title} — {c.detail}")
        lines.append(f"  {h['basis']}{colon}{c.citation.locator}“{c.citation.quote}”")
    if report.gaps:
        lines += ["", f"**{h['gaps']}**"]
        lines += [f"- {g.text}" for g in report.gaps]
    if report.next_steps:
        lines += ["", f"**{h['next']}**"]
        lines += [f"{i}. {s}" for i, s in enumerate(report.next_steps, 1)]
    if report.warnings:
        lines += ["", f"**{h['warnings']}**"]
        lines += [f"- {w}" for w in report.warnings]
    lines += ["", h["note"]]
    return "\n".join(lines)
