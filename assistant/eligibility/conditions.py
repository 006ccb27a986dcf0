"""第十二条 of 《国家质量标准实验室管理办法》 as data, plus the clauses the check also cites.

Every condition carries its locator (第十二条（三）1 …), a quote that is a verbatim span of the
measures text (tests assert ``quote in text``), the figure it reads, the comparison, the threshold,
the unit, whether the threshold is soft (原则上) and the time window the figure must cover.

The only I/O of the eligibility package lives here: reading the text of the measures from
``corpus/raw/nqsl-measures-2023.txt`` to give each citation the full text of its clause. The text is
sliced by its own markers (第X条, （一）, 1.); the full document tree is the corpus parser's job and
is not rebuilt here.

Reading of the rule (documented once, used by ``evaluate``):
- 以上 / 不少于 / 不低于 / 达到 include the threshold itself, so every comparison is ``>=``.
- （一）'s 3000 平方米 is 原则上 (in principle): a miss is ``not_met`` but flagged as soft.
- （一）'s equipment figure is the 现值 (present value); an 原值 (original value) is never used.
- （三）1 and （四）4 are OR-paths; （四）3's figure has a qualitative alternative (国际领先技术成果).
- （四） needs any three of its five items; items 1, 2, 5 are qualitative.
- 近3年 in （四）4 is read as scoping both halves (transfers and service revenue).
- The 省部级 priority of the opening sentence is a priority, not a condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from assistant.types import Citation

DOC_ID = "nqsl-measures-2023"
DOC_TITLE = "国家质量标准实验室管理办法"
DOC_FILE = "nqsl-measures-2023.txt"

FigureKey = Literal[
    "area_m2",
    "equipment_wan",
    "projects_count",
    "projects_funding_wan",
    "standards_3y",
    "transfers_3y",
    "service_revenue_wan",
]
FIGURE_KEYS: tuple[str, ...] = (
    "area_m2",
    "equipment_wan",
    "projects_count",
    "projects_funding_wan",
    "standards_3y",
    "transfers_3y",
    "service_revenue_wan",
)
COUNT_KEYS = frozenset({"projects_count", "standards_3y", "transfers_3y"})
MONEY_KEYS = frozenset({"equipment_wan", "projects_funding_wan", "service_revenue_wan"})

Unit = Literal["m2", "wan_yuan", "items"]
UNIT_LABEL = {
    "zh": {"m2": "平方米", "wan_yuan": "万元", "items": "项"},
    "en": {"m2": "m²", "wan_yuan": "万元 (10k yuan)", "items": ""},
}

# The window each figure must cover (years); None means the clause names no window.
FIGURE_WINDOW: dict[str, int | None] = {
    "area_m2": None,
    "equipment_wan": None,
    "projects_count": 5,
    "projects_funding_wan": 5,
    "standards_3y": 3,
    "transfers_3y": 3,
    "service_revenue_wan": 3,
}

FIGURE_LABEL = {
    "zh": {
        "area_m2": "科研用房面积",
        "equipment_wan": "仪器设备现值",
        "projects_count": "近5年国家级科研项目数",
        "projects_funding_wan": "近5年国家级科研项目总金额",
        "standards_3y": "近3年主导制（修）订国家标准、行业标准及检验方法数",
        "transfers_3y": "近3年累计转化科技成果数",
        "service_revenue_wan": "近3年质量技术服务金额",
    },
    "en": {
        "area_m2": "research floor area",
        "equipment_wan": "present value of instruments and equipment",
        "projects_count": "national-level research projects in the last 5 years",
        "projects_funding_wan": "total funding of those projects (last 5 years)",
        "standards_3y": "national/industry standards and inspection methods led in the last 3 years",
        "transfers_3y": "research results transferred in the last 3 years",
        "service_revenue_wan": "quality technical services revenue (last 3 years)",
    },
}


@dataclass(frozen=True)
class Threshold:
    """One quantitative test: ``figure >= threshold``."""

    figure: str
    threshold: float
    unit: Unit
    comparison: Literal[">="] = ">="


@dataclass(frozen=True)
class Condition:
    """One condition of 第十二条.

    kind:
      threshold   every test must hold (here: exactly one test);
      any_of      an OR over the tests (（三）1, （四）4), plus an optional declared alternative;
      qualitative only the expert review can judge; always ``needs_review``;
      declared    an item of （四） the applicant may declare (declared → needs_review,
                  denied → not_met, silent → unknown);
      any_three   （四）: at least three of ``members`` must hold.
    """

    id: str
    locator: str
    quote: str
    title_zh: str
    title_en: str
    kind: Literal["threshold", "any_of", "qualitative", "declared", "any_three"]
    tests: tuple[Threshold, ...] = ()
    soft: bool = False
    alternative: str | None = None  # declared key that also satisfies the item (（四）3)
    alternative_quote: str | None = None
    members: tuple[str, ...] = field(default_factory=tuple)
    hint_zh: str = ""
    hint_en: str = ""

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(t.figure for t in self.tests)


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        id="area",
        locator="第十二条（一）",
        quote="现有科研用房相对集中，原则上面积在3000 平方米以上",
        title_zh="科研用房面积",
        title_en="Research floor area",
        kind="threshold",
        tests=(Threshold("area_m2", 3000, "m2"),),
        soft=True,
        hint_zh="科研用房面积（平方米）",
        hint_en="research floor area (m²)",
    ),
    Condition(
        id="equipment",
        locator="第十二条（一）",
        quote="仪器设备现值5000万元以上",
        title_zh="仪器设备现值",
        title_en="Present value of instruments and equipment",
        kind="threshold",
        tests=(Threshold("equipment_wan", 5000, "wan_yuan"),),
        hint_zh="仪器设备现值（不是原值，万元）",
        hint_en="present value (not original value) of instruments and equipment",
    ),
    Condition(
        id="facilities",
        locator="第十二条（一）",
        quote="具备良好的科研实验条件，拥有完善的配套设施和安全保障能力",
        title_zh="设施条件（配套设施、测量精度、数据分析能力）",
        title_en="Facilities (supporting facilities, measurement accuracy, data analysis)",
        kind="qualitative",
        hint_zh="配套设施、安全保障、测量精度与数据分析能力的说明材料",
        hint_en="evidence on supporting facilities, safety, measurement accuracy and data analysis",
    ),
    Condition(
        id="team",
        locator="第十二条（二）",
        quote="在相关领域具有由较高学术造诣的专家组成的学术委员会",
        title_zh="学术团队（学术委员会、学术带头人、研究团队）",
        title_en="Academic team (academic committee, leader, research team)",
        kind="qualitative",
        hint_zh="学术委员会组成、学术带头人及骨干团队情况",
        hint_en="the academic committee, the lead scientist and the core team",
    ),
    Condition(
        id="projects",
        locator="第十二条（三）1",
        quote="近5年承担相关领域国家级科研项目不少于15项或项目总金额达到2000万元",
        title_zh="近5年国家级科研项目",
        title_en="National-level research projects in the last 5 years",
        kind="any_of",
        tests=(
            Threshold("projects_count", 15, "items"),
            Threshold("projects_funding_wan", 2000, "wan_yuan"),
        ),
        hint_zh="近5年承担的国家级科研项目数量或项目总金额（万元）",
        hint_en="number of national-level projects in the last 5 years, or their total funding",
    ),
    Condition(
        id="research.authority",
        locator="第十二条（三）2",
        quote="在把握本领域质量标准发展现状、问题、技术关键和重大需求方面具有权威性",
        title_zh="本领域权威性",
        title_en="Authority in the field",
        kind="qualitative",
        hint_zh="体现本领域权威性的材料",
        hint_en="evidence of authority in the field",
    ),
    Condition(
        id="research.breakthrough",
        locator="第十二条（三）3",
        quote="开展并取得国际前沿的质量标准、计量检测等技术突破，解决过“卡脖子”共性质量标准瓶颈问题",
        title_zh="国际前沿技术突破、解决“卡脖子”问题",
        title_en="Frontier breakthroughs, solved bottleneck problems",
        kind="qualitative",
        hint_zh="技术突破与解决“卡脖子”问题的实例",
        hint_en="examples of frontier breakthroughs and solved bottleneck problems",
    ),
    Condition(
        id="achievements.original",
        locator="第十二条（四）1",
        quote="在质量标准技术前沿探索研究中取得具有国际影响的系统性原创成果",
        title_zh="（四）1 具有国际影响的系统性原创成果",
        title_en="(4)1 Systematic original results with international influence",
        kind="declared",
        hint_zh="具有国际影响的系统性原创成果",
        hint_en="systematic original results with international influence",
    ),
    Condition(
        id="achievements.innovation",
        locator="第十二条（四）2",
        quote="在解决国家质量发展面临的重大问题中具有创新思想与方法，实现相关重要基础原理的创新、关键技术突破或集成",
        title_zh="（四）2 解决重大问题的创新思想与方法",
        title_en="(4)2 Innovative ideas and methods for major national quality problems",
        kind="declared",
        hint_zh="解决国家质量发展重大问题的创新、关键技术突破或集成",
        hint_en="innovation, key technology breakthroughs or integration on major national quality problems",
    ),
    Condition(
        id="achievements.standards",
        locator="第十二条（四）3",
        quote="近3年主导制（修）订相关产业领域国家标准、行业标准以及部门公告发布的检验方法数不低于5项",
        title_zh="（四）3 近3年主导制（修）订标准、检验方法",
        title_en="(4)3 Standards and inspection methods led in the last 3 years",
        kind="any_of",
        tests=(Threshold("standards_3y", 5, "items"),),
        alternative="achievements.leading",
        alternative_quote="拥有相关领域的国际领先技术成果（新技术、新设备、标准、规程、规范等）",
        hint_zh="近3年主导制（修）订的国家标准、行业标准和部门公告检验方法清单",
        hint_en="list of national/industry standards and inspection methods led in the last 3 years",
    ),
    Condition(
        id="achievements.transfer",
        locator="第十二条（四）4",
        quote="近3年累计转化科技成果15项以上，或本领域内提供质量技术服务金额不低于3000万元",
        title_zh="（四）4 近3年成果转化或质量技术服务",
        title_en="(4)4 Results transferred or quality technical services (last 3 years)",
        kind="any_of",
        tests=(
            Threshold("transfers_3y", 15, "items"),
            Threshold("service_revenue_wan", 3000, "wan_yuan"),
        ),
        hint_zh="近3年科技成果转化项数或质量技术服务金额（万元）",
        hint_en="results transferred in the last 3 years, or quality technical services revenue",
    ),
    Condition(
        id="achievements.data",
        locator="第十二条（四）5",
        quote="积累有丰富的质量标准数据，能够为相关领域研究提供支撑，为国家宏观决策提供科学依据",
        title_zh="（四）5 丰富的质量标准数据",
        title_en="(4)5 Rich quality and standards data",
        kind="declared",
        hint_zh="质量标准数据积累情况",
        hint_en="the quality and standards data accumulated",
    ),
    Condition(
        id="achievements",
        locator="第十二条（四）",
        quote="需具备以下条件的任意三项",
        title_zh="科研成果（五项中任意三项）",
        title_en="Research results (any three of five)",
        kind="any_three",
        members=(
            "achievements.original",
            "achievements.innovation",
            "achievements.standards",
            "achievements.transfer",
            "achievements.data",
        ),
        hint_zh="（四）五项中至少三项的证明材料",
        hint_en="evidence for at least three of the five items of (4)",
    ),
    Condition(
        id="support",
        locator="第十二条（五）",
        quote="实验室建设方向是依托单位的重点发展方向之一",
        title_zh="保障措施（依托单位、推荐单位支持）",
        title_en="Support of the host and the recommending body",
        kind="qualitative",
        hint_zh="依托单位、推荐单位在机构、人员、经费、资源方面的支持承诺",
        hint_en="commitments of the host and the recommending body (staff, funds, resources)",
    ),
)

CONDITION_BY_ID: dict[str, Condition] = {c.id: c for c in CONDITIONS}

# Criteria whose status decides the overall verdict (the rest is for the expert review).
DECISIVE = ("area", "equipment", "projects", "achievements")

# Qualitative items an applicant can declare in free text (declared → needs_review).
DECLARABLE = (
    "facilities",
    "team",
    "research.authority",
    "research.breakthrough",
    "achievements.original",
    "achievements.innovation",
    "achievements.leading",
    "achievements.data",
    "support",
)


@dataclass(frozen=True)
class Reference:
    """A clause the report cites that is not itself a condition."""

    locator: str
    quote: str


PRIORITY = Reference("第十二条", "已运行两年以上的省部级实验室原则上优先推荐")
CHANNEL_CENTRAL = Reference(
    "第十条", "中央级科研院所、高等院校及中央直属企业申报国家质量标准实验室，由其主管部门负责推荐"
)
CHANNEL_LOCAL = Reference(
    "第十条",
    "地方科研院所、高等院校及地方企业申报国家质量标准实验室由省级市场监管部门、省级工业和信息化部门联合推荐",
)
HOST = Reference("第五条", "依托具有较强研究开发和技术辐射能力的科研院所、高等院校、企业建设的科研实体")
CONSORTIUM = Reference("第五条", "鼓励采用产学研用合作模式，组建跨行业、跨区域联合体")
FIELDS = Reference(
    "第四条",
    "在核心基础零部件、核心基础元器件、关键基础软件、关键基础材料、先进基础工艺、产业技术基础等产业基础领域，"
    "高端制造、新材料、信息技术、生物医药等重点领域",
)


# --- the measures text -----------------------------------------------------------------------

_ARTICLE = re.compile(r"^(?:\[bookmark:[^\]]*\])?(第[一二三四五六七八九十百]+条)", re.M)
_CHAPTER = re.compile(r"^第[一二三四五六七八九十]+章", re.M)
_PART = re.compile(r"^（([一二三四五六七八九十]+)）")
_ITEM = re.compile(r"^(\d+)\.\s*")


class MeasuresText:
    """The text of the measures with the clause spans the check cites.

    ``section(locator)`` returns the verbatim text of 第X条, 第X条（一） or 第X条（一）1.
    """

    def __init__(self, text: str):
        self.text = text
        self._sections: dict[str, str] = {}
        self._index()

    def _index(self) -> None:
        text = self.text
        starts = [(m.start(1), m.group(1)) for m in _ARTICLE.finditer(text)]
        stops = sorted({s for s, _ in starts} | {m.start() for m in _CHAPTER.finditer(text)} | {len(text)})
        for start, label in starts:
            end = min(s for s in stops if s > start)
            body = text[start:end].rstrip("\n")
            self._sections[label] = body
            self._index_parts(label, body)

    def _index_parts(self, article: str, body: str) -> None:
        # Parts（一）… run until the next part; items 1. … run until the next line.
        part: str | None = None
        part_lines: list[str] = []
        for line in body.split("\n")[1:]:
            m = _PART.match(line)
            if m:
                self._close_part(article, part, part_lines)
                part, part_lines = f"（{m.group(1)}）", [line]
                continue
            if part is None:
                continue
            part_lines.append(line)
            item = _ITEM.match(line)
            if item:
                self._sections[f"{article}{part}{item.group(1)}"] = line
        self._close_part(article, part, part_lines)

    def _close_part(self, article: str, part: str | None, lines: list[str]) -> None:
        if part is not None and lines:
            self._sections[f"{article}{part}"] = "\n".join(lines)

    def section(self, locator: str) -> str:
        try:
            return self._sections[locator]
        except KeyError:
            raise KeyError(f"{locator} not found in {DOC_ID}") from None

    def citation(self, locator: str, quote: str) -> Citation:
        full = self.section(locator)
        if quote not in full:
            raise ValueError(f"quote is not a span of {locator}: {quote!r}")
        return Citation(doc_id=DOC_ID, doc_title=DOC_TITLE, locator=locator, quote=quote, text=full)


def default_measures_path() -> Path:
    from assistant.settings import Settings

    return Settings().corpus_dir / "raw" / DOC_FILE


@lru_cache(maxsize=4)
def _load(path: str) -> MeasuresText:
    return MeasuresText(Path(path).read_text(encoding="utf-8"))


def load_measures(path: str | Path | None = None) -> MeasuresText:
    """Read (once per path) and index the text of the measures."""
    return _load(str(path or default_measures_path()))
