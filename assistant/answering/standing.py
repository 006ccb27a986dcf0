"""Versions and standing of the documents, as the answers must state them.

- The 2023 《国家质量标准实验室管理办法》 is the operative rule. Where the 2022 《指导意见》 said
  something different on the same point, ``VERSION_PAIRS`` names both places (written from the two
  texts): the answer gives the 2023 rule first and notes the earlier wording, each with its quote.
- A document's status (in force, draft for comment, reprint, excerpt) is shown next to its title
  whenever it is cited; the 辽宁 plan is always labelled 征求意见稿.
- English names of the documents, for English answers.

This module holds data and small lookups; it does not choose passages or write answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEASURES = "nqsl-measures-2023"
GUIDANCE = "nqsl-guidance-2022"

EN_TITLES: dict[str, str] = {
    "nqsl-measures-2023": "Measures for the Administration of State Quality & Standards Laboratories (the operative rule)",
    "nqsl-guidance-2022": "Guiding Opinions on Promoting the Construction of National Quality & Standards Laboratories (earlier guidance)",
    "qi-supply-chain-2024": "Guiding Opinions on Quality Infrastructure Supporting Industrial and Supply Chains",
    "quality-power-outline-2023": "Outline for Building China's Strength in Quality",
    "liaoning-qi-plan-draft-2022": "Liaoning Quality Infrastructure Implementation Plan",
}

STATUS_LABEL_ZH: dict[str, str] = {
    "in_force": "",
    "draft_for_comment": "（征求意见稿，非正式施行文本）",
    "reprint": "（据网站转载文本）",
    "excerpt": "（节选）",
}

STATUS_LABEL_EN: dict[str, str] = {
    "in_force": "",
    "draft_for_comment": " [draft for comment, not in force]",
    "reprint": " [reprinted text]",
    "excerpt": " [excerpt]",
}


@dataclass(frozen=True)
class Side:
    doc_id: str
    locator: str  # locator of the section that holds the wording
    anchor: str  # words that pick the sentence to quote


@dataclass(frozen=True)
class VersionPair:
    """One point on which the 2022 guidance and the 2023 measures differ."""

    topic_zh: str
    topic_en: str
    triggers: tuple[str, ...]  # question words that make the difference worth stating
    new: Side
    old: Side


VERSION_PAIRS: tuple[VersionPair, ...] = (
    VersionPair(
        topic_zh="评审机构",
        topic_en="the reviewing body",
        triggers=("评审委员会", "专家委员会", "评审", "谁评", "review committee", "expert committee", "reviews"),
        new=Side(MEASURES, "第九条", "开展国家质量标准实验室评审"),
        old=Side(GUIDANCE, "三、保障措施 > （一）加强组织领导", "评审委员会"),
    ),
    VersionPair(
        topic_zh="不达标的处理",
        topic_en="what happens to a lab that fails",
        triggers=("取消", "摘牌", "除名", "资格", "不合格", "不达标", "整改不到位", "revoked", "removed", "disqualified", "fails"),
        new=Side(MEASURES, "第二十七条", "不再列入国家质量标准实验室序列"),
        old=Side(GUIDANCE, "三、保障措施 > （三）加强考核验收", "取消其资格"),
    ),
    VersionPair(
        topic_zh="设立方式",
        topic_en="how labs come to be set up",
        triggers=("定向设立", "自愿", "摊派", "自上而下", "上面定", "directed", "voluntary"),
        new=Side(MEASURES, "第十三条", "自愿的原则"),
        old=Side(GUIDANCE, "二、主要任务 > （三）建立“进退”机制", "定向设立"),
    ),
    VersionPair(
        topic_zh="监督检查",
        topic_en="inspection of running labs",
        triggers=("抽查", "检查", "监督", "多久评", "inspection", "spot check"),
        new=Side(MEASURES, "第二十六条", "每3年进行一次综合评价"),
        old=Side(GUIDANCE, "二、主要任务 > （三）建立“进退”机制", "随机抽查"),
    ),
    VersionPair(
        topic_zh="资金支持",
        topic_en="financial support",
        triggers=("补助", "补贴", "资助", "资金支持", "经费", "扶助", "给钱", "subsidy", "funding", "money"),
        new=Side(MEASURES, "第二十八条", "一定的扶助支持"),
        old=Side(GUIDANCE, "三、保障措施 > （二）强化政策激励", "一定的投资补助"),
    ),
)

_VERSION_QUESTION = re.compile(
    r"两份文件|两个文件|以哪个为准|哪个为准|现在|现行|目前|还是|2022|指导意见|说法一样|区别|变化|now|current|still|2022|guidance",
    re.I,
)


def asks_about_versions(question: str) -> bool:
    return bool(_VERSION_QUESTION.search(question))


def locator_matches(passage_locator: str, wanted: str) -> bool:
    """True when a passage's locator is the wanted section or lies inside it."""
    a = passage_locator.replace(" ", "")
    b = wanted.replace(" ", "")
    return a == b or a.startswith(b)
