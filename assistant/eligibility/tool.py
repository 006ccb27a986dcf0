"""``check_lab_eligibility``: the check as a LangChain tool, for LLM backends with tool calling.

The arguments are the canonical figures (the model reads them from the conversation; the numbers
are then compared here, in code), plus affiliation, level, years running and the qualitative items
the applicant declares. The tool answers with ``response_format="content_and_artifact"``: the
content is the rendered report (what the model reads back), the artifact is the
``EligibilityReport`` as a dict (what the chat attaches to the answer as ``eligibility``).

Invoked with a plain dict (``tool.invoke({...})``) it returns the rendered text; invoked with a
tool call (``tool.invoke({"name": ..., "args": ..., "id": ..., "type": "tool_call"})``) it returns a
``ToolMessage`` whose ``artifact`` holds the report.

No LLM is called here and nothing is read from the network.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from assistant.eligibility.conditions import CONDITION_BY_ID
from assistant.eligibility.evaluate import evaluate
from assistant.eligibility.profile import LabProfile
from assistant.eligibility import render

_DECLARABLE = Literal[
    "achievements.original",
    "achievements.innovation",
    "achievements.leading",
    "achievements.data",
    "team",
    "facilities",
    "research.authority",
    "research.breakthrough",
    "support",
]


class EligibilityArgs(BaseModel):
    """Arguments of ``check_lab_eligibility``. Leave a figure out (null) when the user did not give it."""

    area_m2: float | None = Field(default=None, ge=0, description="Research floor area (科研用房面积) in square meters.")
    equipment_wan: float | None = Field(
        default=None, ge=0,
        description="PRESENT value (现值) of instruments and equipment in 万元 (10,000 yuan). Never the original value (原值).",
    )  # fmt: skip
    projects_count: int | None = Field(default=None, ge=0, description="National-level research projects in the LAST 5 YEARS.")
    projects_funding_wan: float | None = Field(
        default=None, ge=0, description="Total funding of those national-level projects (last 5 years), in 万元."
    )
    standards_3y: int | None = Field(
        default=None, ge=0,
        description="National/industry standards and published inspection methods led in the LAST 3 YEARS.",
    )  # fmt: skip
    transfers_3y: int | None = Field(default=None, ge=0, description="Research results transferred in the LAST 3 YEARS.")
    service_revenue_wan: float | None = Field(
        default=None, ge=0, description="Quality technical services revenue (last 3 years), in 万元."
    )
    affiliation: Literal["central", "local"] | None = Field(
        default=None,
        description="central: central-level institute/university or central enterprise (中央级/央企); local: 地方.",
    )
    level: Literal["provincial", "ministerial", "none"] | None = Field(
        default=None, description="Current level of the lab: provincial (省级) or ministerial (部级) key lab, or none."
    )
    years_running: float | None = Field(default=None, ge=0, description="Years the lab has been running at that level.")
    declared: list[_DECLARABLE] = Field(
        default_factory=list,
        description="Qualitative items the user says the lab has: "
        + "; ".join(f"{k}" for k in ("achievements.original", "achievements.innovation", "achievements.leading",
                                     "achievements.data", "team", "facilities", "research.authority",
                                     "research.breakthrough", "support")),
    )  # fmt: skip
    lang: Literal["zh", "en"] = Field(default="zh", description="Language of the user's question.")


def _run(**kwargs) -> tuple[str, dict]:
    args = EligibilityArgs(**kwargs)
    data = args.model_dump(exclude={"declared", "lang"}, exclude_none=True)
    profile = LabProfile(**data, declared={k: True for k in args.declared})
    report = evaluate(profile, lang=args.lang)
    return render(report, args.lang), report.model_dump(mode="json")


_DESCRIPTION = (
    "Check a laboratory's figures against 第十二条 of 《国家质量标准实验室管理办法》 (the conditions for "
    "applying to become a 国家质量标准实验室). Call it when the user gives their own lab's figures "
    "(floor area, equipment present value, national projects in the last 5 years, standards and "
    "transfers in the last 3 years …). Pass only figures the user stated, converted to the units asked "
    "(万元 for money, square meters for area); do not guess missing ones. Returns a per-condition report "
    f"with citations ({', '.join(sorted(CONDITION_BY_ID))})."
)


def make_eligibility_tool() -> BaseTool:
    """A fresh ``check_lab_eligibility`` tool (``StructuredTool``)."""
    return StructuredTool.from_function(
        func=_run,
        name="check_lab_eligibility",
        description=_DESCRIPTION,
        args_schema=EligibilityArgs,
        response_format="content_and_artifact",
    )


check_lab_eligibility: BaseTool = make_eligibility_tool()
