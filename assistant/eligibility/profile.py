"""The applicant's lab as typed data: the figures 第十二条 reads, affiliation, level, declarations.

``LabProfile`` holds the seven canonical figures (``area_m2`` in 平方米, money in 万元, counts in 项),
the affiliation that decides the 推荐单位 (central / local), the host type of 第五条, the lab's
current level and years running (for the 省部级 priority), the qualitative items the applicant
declares (True) or denies (False), and warnings about figures that were read but not used
(原值 instead of 现值, a figure for the wrong time window …).

``merge`` applies a follow-up message: whatever the update states replaces the earlier value
("设备其实是5200万" corrects ``equipment_wan``), and warnings about a key the update settles are
dropped. This module does not read text; see ``extract``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.eligibility.conditions import FIGURE_KEYS

Affiliation = Literal["central", "local"]
HostType = Literal["research_institute", "university", "enterprise", "consortium"]
Level = Literal["provincial", "ministerial", "none"]
WarningCode = Literal[
    "original_value",  # 原值 given; only 现值 counts
    "wrong_window",  # figure stated for another time window
    "value_basis_unstated",  # equipment value given without saying 现值 or 原值
    "unit_assumed",  # money without a unit, read as 万元
    "not_counted",  # e.g. 团体标准 / 地方标准, which （四）3 does not count
    "upper_bound",  # "不到3000平方米": only a bound, not a figure
    "not_national",  # 省部级 projects where （三）1 counts 国家级 ones
    "conflicting_affiliation",  # both central and local signals
    "standard_type_unstated",  # standards without saying 国家/行业标准
    "implausible",  # a negative figure (−4200平方米) or one in exponent notation (1e308): not read
]


class ProfileWarning(BaseModel):
    code: WarningCode
    key: str | None = Field(default=None, description="Figure key concerned, if any.")
    value: float | None = Field(default=None, description="The value as stated (canonical unit).")
    source: str = Field(default="", description="The words of the message the warning is about.")
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


class LabProfile(BaseModel):
    """What an applicant told us about the lab. ``None`` = not given."""

    area_m2: float | None = Field(default=None, ge=0, description="科研用房面积, 平方米.")
    equipment_wan: float | None = Field(default=None, ge=0, description="仪器设备现值 (present value), 万元.")
    projects_count: int | None = Field(default=None, ge=0, description="近5年国家级科研项目数, 项.")
    projects_funding_wan: float | None = Field(default=None, ge=0, description="近5年国家级科研项目总金额, 万元.")
    standards_3y: int | None = Field(
        default=None, ge=0, description="近3年主导制（修）订国家标准、行业标准、部门公告检验方法数, 项."
    )
    transfers_3y: int | None = Field(default=None, ge=0, description="近3年累计转化科技成果数, 项.")
    service_revenue_wan: float | None = Field(default=None, ge=0, description="近3年质量技术服务金额, 万元.")
    affiliation: Affiliation | None = Field(
        default=None, description="central: 中央级院所/高校/中央直属企业; local: 地方 (第十条)."
    )
    host_type: HostType | None = Field(default=None, description="依托单位 type of 第五条.")
    level: Level | None = Field(default=None, description="Current level of the lab: 省级, 部级, or none.")
    years_running: float | None = Field(default=None, ge=0, description="Years the lab has been running at that level.")
    declared: dict[str, bool] = Field(
        default_factory=dict,
        description="Qualitative items the applicant declared (True) or denied (False), by criterion id.",
    )
    warnings: list[ProfileWarning] = Field(default_factory=list)

    def figures(self) -> dict[str, float | int | None]:
        return {k: getattr(self, k) for k in FIGURE_KEYS}

    def has_figures(self) -> bool:
        return any(v is not None for v in self.figures().values())

    def merge(self, update: LabProfile) -> LabProfile:
        """Return this profile with ``update`` applied on top (fields the update sets win)."""
        data = self.model_dump()
        settled: set[str] = set()
        for name in update.model_fields_set - {"declared", "warnings"}:
            value = getattr(update, name)
            if value is None:
                continue
            data[name] = value
            settled.add(name)
        data["declared"] = {**self.declared, **update.declared}
        # A warning about a key is stale once the update states that key again (as a value or
        # as another flagged figure).
        settled |= {w.key for w in update.warnings if w.key}
        kept = [w for w in self.warnings if w.key is None or w.key not in settled]
        seen = {(w.code, w.key, w.value) for w in kept}
        data["warnings"] = [w.model_dump() for w in kept] + [
            w.model_dump() for w in update.warnings if (w.code, w.key, w.value) not in seen
        ]
        merged = LabProfile.model_validate(data)
        # Keep "what was actually stated" meaningful after merging.
        merged.model_fields_set.intersection_update(self.model_fields_set | update.model_fields_set | {"declared", "warnings"})
        return merged
