"""Domain vocabulary shared by the lexical retrieval leg and the answer composer.

- ``DOMAIN_WORDS``: terms jieba must keep whole (依托单位, 推荐单位, 专家委员会 …);
- ``STOPWORDS``: function words and question words that carry no topic;
- ``EXPANSIONS``: how applicants and English speakers name what the documents call otherwise
  (场地 → 科研用房/面积, "floor area" → 面积, 摘牌 → 不再列入序列 …). Expansion only adds search
  terms; it never changes what an answer quotes.

``tokenize`` is the one tokenizer of the lexical leg: jieba's search mode, lower-cased, stopwords
and punctuation dropped, and Chinese numerals also given in Arabic digits (两年 → 2, 十五 → 15), as
the documents mostly print digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

DOMAIN_WORDS = [
    "国家质量标准实验室", "国家级质量标准实验室", "质量标准实验室", "依托单位", "推荐单位", "主管部门",
    "专家委员会", "专家技术委员会", "学术委员会", "评审委员会", "主任委员", "副主任委员", "主任负责制",
    "科研用房", "仪器设备", "现值", "国家级科研项目", "项目总金额", "科技成果", "质量技术服务",
    "检验方法", "国家标准", "行业标准", "建设期限", "延长建设期限", "通过验收", "未通过验收",
    "综合评价", "年度运行报告", "不再列入", "国家质量标准实验室序列", "省部级实验室", "中央直属企业",
    "中央级科研院所", "高等院校", "科研院所", "省级市场监管部门", "省级工业和信息化部门", "实施细则",
    "投资补助", "扶助支持", "联合体", "产学研用", "形式审查", "专家评审", "现场考察", "批准建设名单",
    "质量基础设施", "一站式服务", "集成服务基地", "征求意见稿", "首席质量官", "进退机制",
]

STOPWORDS = set(
    """的 了 和 与 及 或 是 在 对 为 由 把 被 给 从 向 以 等 之 其 这 那 个 些 什么 怎么 怎样 如何 哪些 哪个 哪 多少
    吗 呢 吧 啊 呀 么 要 需要 能 能否 可以 可否 是否 有没有 有 没有 我们 我 你 您 他们 它 请问 请 想 问 一下 一个
    到底 具体 规定 规定了 要求 文件 里 中 上 下 吧 还 也 都 就 又 而 且 并 着 过 得 地 会 应 应当 应该 如果 那么
    what which who whom how many much is are the a an of to for in on do does can we our us be by with and or any
    there about please tell me i you it that this if when""".split()
)

# applicant / English wording -> the documents' wording (added to the query for BM25)
EXPANSIONS: dict[str, str] = {
    # applicant paraphrases
    "场地": "科研用房 面积", "房子": "科研用房 面积", "用房": "科研用房 面积", "多大": "面积", "面积": "科研用房",
    "设备": "仪器设备 现值", "钱": "金额 经费", "多久": "期限 年", "多长时间": "期限", "几年": "期限 年",
    "谁推荐": "推荐 推荐单位", "推荐": "推荐单位 主管部门", "延期": "延长 建设期限", "延长": "延期",
    "摘牌": "不再列入 序列", "除名": "不再列入 序列", "取消": "不再列入 取消资格", "撤销": "不再列入 取消资格",
    "造假": "虚假材料 不真实数据", "考核": "综合评价 评估 绩效", "检查": "评估 综合评价", "验收": "验收申请 验收结论",
    "补贴": "投资补助 扶助支持", "资助": "投资补助 扶助支持", "经费支持": "投资补助 扶助支持", "奖励": "扶助支持",
    "央企": "中央直属企业", "部属": "中央级", "高校": "高等院校", "大学": "高等院校", "研究所": "科研院所",
    "院所": "科研院所", "牵头": "主导", "标准制定": "主导制（修）订", "成果转化": "转化科技成果",
    "门槛": "条件", "资格": "条件", "够格": "条件", "英文名": "英文名称", "名字": "命名", "叫什么": "命名",
    "流程": "申报 推荐单位 形式审查 专家评审 现场考察 公示", "程序": "申报 形式审查 专家评审 现场考察 公示",
    "步骤": "申报 形式审查 专家评审 现场考察", "负责人": "主任", "管理部门": "市场监管总局 工业和信息化部",
    "部委": "市场监管总局 工业和信息化部 负责", "哪个部门": "市场监管总局 工业和信息化部 负责", "在管": "负责 管理",
    "主管": "负责 管理", "省里": "地方政府 地方 省级", "市里": "地方政府 地方", "地方上": "地方政府 地方",
    "扶持": "支持 政策 补助", "龙头企业": "领军企业 链主企业", "检验检测中心": "质检中心", "质检机构": "质检中心",
    "抽查": "随机抽查 定期检查", "监督检查": "定期检查 随机抽查 评估", "绩效": "预算绩效管理 效益",
    # English
    "floor": "面积 科研用房", "area": "面积 科研用房", "space": "科研用房 面积", "square": "平方米",
    "equipment": "仪器设备 现值", "instrument": "仪器设备", "instruments": "仪器设备", "value": "现值",
    "project": "国家级科研项目", "projects": "国家级科研项目 项", "funding": "经费 项目总金额", "fund": "经费",
    "standard": "标准", "standards": "国家标准 行业标准 主导制（修）订", "recommend": "推荐 推荐单位",
    "recommends": "推荐 推荐单位", "recommended": "推荐", "recommendation": "推荐 推荐单位",
    "nominate": "推荐", "nominates": "推荐", "construction": "建设", "build": "建设", "period": "期限",
    "extension": "延长 延期", "extend": "延长", "acceptance": "验收", "inspection": "验收 考察",
    "evaluation": "综合评价 评估", "evaluated": "综合评价", "assessment": "评估 综合评价", "review": "评审",
    "expert": "专家委员会", "experts": "专家委员会", "committee": "委员会", "academic": "学术委员会",
    "director": "主任", "chair": "主任", "host": "依托单位", "apply": "申报 申请", "application": "申报 申请",
    "applicant": "申报", "conditions": "条件", "condition": "条件", "eligibility": "条件", "eligible": "条件",
    "requirements": "条件 要求", "requirement": "条件", "name": "命名 名称", "english": "英文名称",
    "interpret": "解释", "interpretation": "解释", "effective": "施行", "annual": "年度 每年", "report": "报告",
    "rectification": "整改", "rectify": "整改", "subsidy": "投资补助", "subsidies": "投资补助 扶助支持",
    "support": "支持 扶助支持", "central": "中央 中央级 中央直属企业", "local": "地方", "provincial": "省级 省部级",
    "province": "省级", "university": "高等院校", "universities": "高等院校", "enterprise": "企业",
    "enterprises": "企业", "institute": "科研院所", "institutes": "科研院所", "liaoning": "辽宁",
    "target": "目标", "targets": "目标", "goal": "目标", "goals": "目标", "fraud": "虚假材料",
    "false": "虚假", "removed": "不再列入 序列", "revoked": "不再列入 取消资格", "priority": "优先",
    "years": "年", "year": "年", "team": "团队", "talent": "人才", "achievements": "成果", "results": "成果",
    "transfer": "转化", "services": "服务", "service": "服务", "publicity": "公示", "procedure": "申报 程序",
    "process": "申报 程序", "steps": "申报 程序", "voluntary": "自愿", "materials": "申报材料",
    "laboratories": "实验室", "laboratory": "实验室", "lab": "实验室", "labs": "实验室", "quality": "质量",
    "stations": "站点", "one-stop": "一站式服务", "metrology": "计量", "certification": "认证",
    "outline": "纲要", "guidance": "指导意见", "opinions": "指导意见", "draft": "征求意见稿",
}

_CN_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万]+$")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for w in DOMAIN_WORDS:
        jieba.add_word(w, freq=200000)
    return jieba


def _arabic(token: str) -> str | None:
    if token in ("一", "两") or not _CN_NUMERAL.match(token):
        return None
    try:
        import cn2an

        return str(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError):
        return None


def tokenize(text: str) -> list[str]:
    """Search tokens of ``text`` for BM25 (see module docstring)."""
    out: list[str] = []
    for tok in _jieba().lcut_for_search(text.lower()):
        tok = tok.strip()
        if not tok or tok in STOPWORDS or not _WORD.search(tok):
            continue
        out.append(tok)
        arabic = _arabic(tok)
        if arabic:
            out.append(arabic)
    return out


def expand_query(text: str) -> str:
    """``text`` plus the documents' wording for the applicant or English words it contains."""
    low = text.lower()
    extra = [v for k, v in EXPANSIONS.items() if (re.search(rf"\b{re.escape(k)}\b", low) if k.isascii() else k in low)]
    return text if not extra else f"{text} {' '.join(extra)}"
