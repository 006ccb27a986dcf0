"""Words of the question mapped onto words of the documents.

Applicants do not use the documents' vocabulary: they ask about 场地 where 第十二条 says 科研用房,
about 多久 where 第十八条 says 建设期限, about "funding" in English where the texts say 投资补助.
This module holds that mapping and the term statistics used to weigh a question's words:

- ``Lexicon.term_groups(question)`` turns a Chinese or English question into groups of document
  words (one group per concept the applicant named), each with an IDF weight computed over the
  corpus sentences, so that 国家/质量/实验室 (everywhere) weigh little and 延长/公示 (rare) weigh a lot.
- Stop words and question words (什么, 多少, 是否, how, what …) are dropped: they say what kind of
  fact is wanted (see ``question.py``), not what it is about.

It does not understand sentences; it only matches words. Synonym groups are written from the
five documents' wording and from how applicants paraphrase it, not from any question set.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.lexicon import DOMAIN_WORDS, EXPANSIONS, STOPWORDS

# Applicant wording -> document wording. Each entry: trigger words -> the words the documents use.
# The trigger itself is always searched too when it occurs in the documents.
ZH_SYNONYMS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("面积", "场地", "用房", "场所", "办公面积", "实验面积", "平方米", "平米", "空间"): ("面积", "用房", "平方米"),
    ("设备", "仪器", "仪器设备", "设备价值", "设备现值", "资产"): ("仪器设备", "设备"),
    # 几年 / 多长时间 only ask "how long" (question.py reads that); they do not name the building
    # period, and 整改 in 6个月 or 评价 every 3年 answer them as well.
    ("期限", "建设期", "建设期限", "周期", "工期"): ("建设期限", "建设期", "期限"),
    ("延期", "延长", "推迟", "延后", "顺延", "宽限"): ("延长", "延期"),
    ("推荐", "推荐单位", "举荐", "推荐部门"): ("推荐",),
    ("验收", "结项", "验收通过"): ("验收",),
    ("评估", "评价", "考核", "考评", "评比"): ("评价", "评估", "考核"),
    ("整改", "改正", "整顿"): ("整改",),
    ("取消", "撤销", "摘牌", "除名", "退出", "淘汰", "资格取消"): ("不再列入", "取消", "终止"),
    ("申请", "申报", "报名", "申请书"): ("申报", "申请"),
    ("条件", "门槛", "资格", "要求", "标准线", "硬指标"): ("条件",),
    ("补助", "补贴", "资助", "奖励", "奖金", "扶持", "扶助", "拨款"): ("补助", "扶助", "奖励", "经费"),
    ("经费", "资金", "钱", "费用", "出资"): ("经费", "资金", "自筹"),
    ("收费", "申报费", "费", "交钱", "缴费", "手续费"): ("收费", "费用"),
    ("团队", "人员", "人才", "研究人员", "骨干"): ("团队", "人员", "人才"),
    ("带头人", "学科带头人", "领军人才"): ("带头人", "领军人才"),
    ("项目", "课题", "科研项目"): ("项目",),
    ("成果转化", "转化"): ("转化",),
    ("专家委员会", "评审委员会", "专家组", "评审专家"): ("专家委员会", "评审委员会"),
    ("学术委员会", "学委会", "学术委"): ("学术委员会",),
    ("依托单位", "牵头单位", "承建单位", "建设单位"): ("依托单位",),
    ("联合体", "联合申报", "合作申报", "联合"): ("联合体", "产学研用", "联合"),
    ("企业", "公司", "民营企业", "私企"): ("企业",),
    ("高校", "大学", "高等院校", "学校", "高等学校"): ("高等院校", "高等学校"),
    ("科研院所", "研究所", "研究院", "科研机构"): ("科研院所", "科研机构"),
    ("省级", "省里", "省市场监管局", "地方"): ("省级", "地方"),
    ("央企", "中央企业", "中央直属企业", "中央级"): ("中央直属企业", "中央级"),
    ("名称", "命名", "名字", "叫什么", "英文名", "英文名称"): ("命名", "名称"),
    ("更名", "改名", "变更", "调整", "重组"): ("更名", "变更", "调整", "重组"),
    ("材料", "资料", "申报材料", "申请材料"): ("材料",),
    ("公示", "公开"): ("公示",),
    ("年报", "年度报告", "年度运行报告", "每年报告"): ("年度运行报告", "每年报告", "年度"),
    ("造假", "虚假", "弄虚作假", "假材料", "数据造假", "诚信"): ("虚假", "不真实", "诚信"),
    ("主任", "负责人", "实验室主任", "一把手"): ("主任",),
    ("解释", "解释权"): ("解释",),
    ("施行", "生效", "实施日期", "起施行"): ("施行",),
    ("职责", "职能", "任务", "干什么", "做什么", "负责什么"): ("职责", "任务"),
    ("任期",): ("任期",),
    ("人数", "多少人", "几个人", "组成"): ("组成", "人数"),
    ("论文", "专著", "署名", "标注"): ("标注", "论文", "专著"),
    ("专利",): ("专利",),
    ("开放", "共享", "交流", "合作"): ("开放", "交流", "合作"),
    ("英文",): ("英文",),
    ("征求意见", "意见反馈", "反馈意见", "提意见"): ("征求意见", "意见反馈"),
    ("辽宁", "辽宁省"): ("辽宁",),
    ("不会", "什么样", "中要", "最多能", "还有", "分别", "一起", "大概", "一下", "一定", "打算", "给出", "最后"): (),
    ("攻克", "攻关", "突破"): ("突破", "攻关"),
    ("难题", "瓶颈", "卡点"): ("瓶颈", "问题"),
    ("关注", "重点关注", "瞄准"): ("聚焦",),
    ("目标", "数量", "建多少", "多少家"): ("目标", "遴选建设", "建成", "若干"),
    ("研究方向", "方向", "领域", "重点领域"): ("领域", "方向"),
    ("优先", "优先推荐"): ("优先",),
    ("省部级实验室", "省部级", "省重点实验室", "省级重点实验室", "部级重点实验室", "重点实验室"): ("省部级",),
    ("等级", "档次", "评级", "级别", "结果"): ("优秀", "合格", "不合格", "结果"),
    ("细则", "实施细则", "办法细则"): ("实施细则", "细则"),
    ("文号", "发文字号", "字号", "发文号"): ("〔",),
    # The documents' names: matched against the passage's title, not its text.
    ("管理办法", "指导意见", "纲要", "实施方案"): ("管理办法", "指导意见", "纲要", "实施方案"),
    # Colloquial wording of applicants for the documents' concepts.
    ("部委", "部里", "哪个部", "主管部门", "管理部门"): ("市场监管总局", "工业和信息化部", "主管部门"),
    # 谁在管 / 归谁管 (the bare verb; jieba keeps 管理 whole): who is responsible for it.
    ("管",): ("负责",),
    ("开销", "花销", "开支", "掏钱", "掏", "花钱", "运行费用"): ("经费", "自筹"),
    ("自己筹", "自筹", "自己出钱", "自掏腰包"): ("自筹",),
    ("延", "延了", "拖期", "超期"): ("延长", "延期"),
    ("批下来", "获批", "批准", "批了", "立项"): ("批准",),
    ("建好", "建成", "建完", "弄完", "完不成", "没弄完", "建不完"): ("完成建设", "建设任务", "建设"),
    ("实验楼", "楼", "房子", "办公楼"): ("用房", "面积"),
    ("够格", "达标", "够不够", "符合", "算数", "算达标"): ("条件", "满足"),
    ("拍板", "说了算", "做主", "自己决定"): ("自主权", "自愿"),
    ("头儿", "一把手", "领导"): ("主任", "领导"),
    ("科室", "内设机构", "部门划分"): ("研究单元",),
    ("摊派", "强制", "指派"): ("自愿",),
    ("省局", "省里", "省市场监管局"): ("省级市场监管部门", "省级"),
    ("实地", "派人", "实地看", "现场"): ("现场考察",),
    ("挂牌", "运行以后", "投入运行"): ("正式运行",),
    ("流动", "流动性", "人员变动"): ("流动", "相对固定"),
    ("排在后面", "先推荐", "优先考虑"): ("优先",),
    ("好处", "激励", "待遇"): ("支持", "扶助"),
    ("干哪些活", "干什么", "工作内容", "活"): ("任务", "职责", "承担"),
    ("推荐意见", "出推荐"): ("推荐",),
    ("环节", "步骤", "流程", "程序", "审批"): ("形式审查", "专家评审", "现场考察", "公示", "初审"),
    ("外资", "外资企业", "外企", "合资"): ("外资",),
    ("博士", "博士学位"): ("博士",),
    ("模板", "格式", "范本", "表格", "下载"): ("格式", "模板"),
    ("申诉", "复议", "投诉", "不服", "异议"): ("申诉", "复议", "异议"),
    ("清单", "材料清单"): ("清单",),
}

# English words -> document words. Longest phrases are matched first.
EN_GLOSSARY: dict[str, tuple[str, ...]] = {
    "floor area": ("面积", "用房", "平方米"),
    "floor space": ("面积", "用房", "平方米"),
    "square meters": ("平方米", "面积"),
    "square metres": ("平方米", "面积"),
    "area": ("面积", "用房", "平方米"),
    "space": ("面积", "用房"),
    "equipment": ("仪器设备", "设备"),
    "instrument": ("仪器设备", "仪器"),
    "instruments": ("仪器设备", "仪器"),
    "construction period": ("建设期限", "建设期"),
    "build period": ("建设期限", "建设期"),
    "period": ("期限", "建设期"),
    "extension": ("延长", "延期"),
    "extend": ("延长", "延期"),
    "extended": ("延长", "延期"),
    "delay": ("延长", "延期"),
    "recommend": ("推荐",),
    "recommends": ("推荐",),
    "recommended": ("推荐",),
    "recommendation": ("推荐",),
    "recommending": ("推荐",),
    "nominate": ("推荐",),
    "endorse": ("推荐",),
    "acceptance": ("验收",),
    "evaluation": ("评价", "评估"),
    "evaluated": ("评价", "评估"),
    "assessment": ("评价", "评估"),
    "review": ("评审", "审查"),
    "rectification": ("整改",),
    "rectify": ("整改",),
    "apply": ("申报", "申请"),
    "application": ("申报", "申请"),
    "applications": ("申报", "申请"),
    "applicant": ("申报", "申请"),
    "applicants": ("申报", "申请"),
    "conditions": ("条件",),
    "requirements": ("条件",),
    "requirement": ("条件",),
    "eligibility": ("条件",),
    "eligible": ("条件",),
    "criteria": ("条件",),
    "qualify": ("条件",),
    "funding": ("补助", "扶助", "经费"),
    "subsidy": ("补助", "扶助"),
    "subsidies": ("补助", "扶助"),
    "grant": ("补助", "扶助"),
    "money": ("经费", "资金", "补助"),
    "fee": ("收费", "费用"),
    "fees": ("收费", "费用"),
    "cost": ("费用", "经费"),
    "team": ("团队",),
    "staff": ("人员",),
    "personnel": ("人员",),
    "researchers": ("人员", "团队"),
    "talent": ("人才",),
    "academic committee": ("学术委员会",),
    "expert committee": ("专家委员会",),
    "review committee": ("评审委员会", "专家委员会"),
    "committee": ("委员会",),
    "director": ("主任",),
    "projects": ("项目",),
    "project": ("项目",),
    "standards": ("标准",),
    "name": ("命名", "名称"),
    "named": ("命名", "名称"),
    "naming": ("命名", "名称"),
    "english name": ("英文名称",),
    "university": ("高等院校",),
    "universities": ("高等院校",),
    "company": ("企业",),
    "companies": ("企业",),
    "enterprise": ("企业",),
    "enterprises": ("企业",),
    "research institute": ("科研院所",),
    "research institutes": ("科研院所",),
    "province": ("省级",),
    "provincial": ("省级",),
    "central": ("中央",),
    "host institution": ("依托单位",),
    "host": ("依托单位",),
    "consortium": ("联合体",),
    "jointly": ("联合",),
    "revoked": ("不再列入", "取消"),
    "removed": ("不再列入", "取消"),
    "disqualified": ("不再列入", "取消"),
    "fraud": ("虚假",),
    "false": ("虚假",),
    "annual report": ("年度运行报告", "每年报告"),
    "annual": ("年度", "每年"),
    "excellent": ("优秀",),
    "unqualified": ("不合格",),
    "fails": ("不合格", "未通过"),
    "fail": ("不合格", "未通过"),
    "interpret": ("解释",),
    "interpretation": ("解释",),
    "effective": ("施行",),
    "liaoning": ("辽宁",),
    "draft": ("征求意见稿",),
    "publicity": ("公示",),
    "public notice": ("公示",),
    "materials": ("材料",),
    "documents": ("材料",),
    "patent": ("专利",),
    "papers": ("论文",),
    "duties": ("职责",),
    "responsibilities": ("职责",),
    "responsible": ("负责",),
    "term": ("任期",),
    "members": ("委员", "组成"),
    "priority": ("优先",),
    "provincial or ministerial": ("省部级",),
    "target": ("目标",),
    "targets": ("目标",),
    "goal": ("目标",),
    "supply chain": ("产业链供应链",),
    "quality infrastructure": ("质量基础设施",),
    "implementation rules": ("实施细则",),
    "approved": ("批准",),
    "approve": ("批准",),
    "finish": ("完成",),
    "build": ("建设",),
    "building": ("建设",),
    "construction": ("建设",),
    "goals": ("目标",),
    "guidance": ("指导意见",),
    "guiding opinions": ("指导意见",),
    "outline": ("纲要",),
    "quality power": ("质量强国",),
    "index": ("指数",),
    "competitiveness": ("竞争力",),
    "certification": ("认证",),
    "certificates": ("证书", "认证"),
    "certificate": ("证书", "认证"),
    "five-department": ("五部门", "5部门"),
    "english": ("英文",),
    "composed": ("组成",),
    "composition": ("组成",),
    "outcomes": ("结论", "结果"),
    "grades": ("结果", "优秀"),
    "problems": ("整改",),
    "often": ("每",),
    "foreign": ("外资",),
    "foreign-invested": ("外资",),
    "appeal": ("申诉", "复议"),
    "template": ("格式", "模板"),
    "form": ("格式", "模板"),
    "detailed rules": ("实施细则",),
}

# Words that carry no topic: function words, question words, politeness, the applicant talking
# about themselves. What kind of fact is asked is read from the raw question in question.py.
ZH_STOP = set(
    """
    的 了 吗 呢 吧 啊 呀 么 嘛 是 有 在 和 与 及 或 或者 还是 以及 对 对于 关于 把 被 给 让 向 从 到 为 为了 由 按 按照
    我 我们 我司 本单位 我单位 咱们 你 你们 您 他 她 它 它们 其 该 这 那 这个 那个 这些 那些 此 上述 什么 啥 怎么 怎样 怎么样 如何
    哪 哪些 哪个 哪里 哪儿 几 几年 多少 多久 多长 多长时间 多大 多高 是否 能否 可否 能不能 可不可以 是不是 有没有 要不要 需不需要 会不会
    可以 能 能够 需要 需 要 应该 应当 必须 得 会 想 请问 请 一下 一些 一个 问 问题 知道 告诉 具体 规定 规定了 说 提到 讲
    情况 相关 有关 主要 如果 假如 要是 的话 那么 然后 还 也 都 就 又 再 才 已经 已 现在 目前 一般 通常 大概 多 少 最 更
    国家 质量 标准 实验室 质量标准 国家质量标准实验室 国家级 文件 办法 管理办法 政策 里 中 上 下 时 时候 后 前 之后 之前
    """.split()
)

EN_STOP = set(
    """
    a an the of to in on for and or is are was were be been being do does did can could should would will shall may might must
    what which who whom whose when where why how much many long often is there any it its this that these those we our us i my me
    you your he she they them their about with by from at as if then than so such please tell know need needs want get got have has
    had laboratory laboratories lab labs state national quality standards standard document documents say says said rule rules
    measures guidance under per one two
    """.split()
)

# jieba keeps 哪些方面 / 什么样 / 多少人 whole; the part after the question word is the concept.
_QWORD_PREFIX = re.compile(r"^(哪些|哪个|哪几个|哪几|什么样的?|什么|多少|几个|怎样的?)")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
# A period (两年, 6个月): the documents print some in Chinese numerals (任期两年) and some in digits
# (不超过2年, 6个月内), so a question's 两年 must find 2年. Counts of things (五项, 10个) are left
# alone: in a question they are mostly the applicant's own figures (列了五项, 10个课题), not words
# of the passage that answers.
_COUNTERS = "个月|年|天"
_ZH_QUANTITY = re.compile(rf"^([一二两三四五六七八九十]+)({_COUNTERS})$")
_DIGIT_QUANTITY = re.compile(rf"(?<![\d.])(\d{{1,3}})\s*({_COUNTERS})")


# A figure is rare in the documents, so its idf is high; but the same figure in a passage is weaker
# evidence of the topic than a concept word (the applicant's 列了五项 is not 不低于5项): it weighs
# like an ordinary word.
_QUANTITY_WEIGHT = 3.0


def numeral_variants(number: str, counter: str) -> tuple[str, ...]:
    """两年 -> (两年, 2年); 3项 -> (3项, 三项): the same quantity as the documents may print it."""
    try:
        import cn2an

        if number.isdigit():
            value = int(number)
            zh = cn2an.an2cn(value)
            forms = [f"{number}{counter}", f"{zh}{counter}"]
            if value == 2:
                forms.append(f"两{counter}")
        else:
            value = int(cn2an.cn2an(number, "smart"))
            forms = [f"{number}{counter}", f"{value}{counter}"]
    except Exception:  # cn2an raises plain ValueError/KeyError on what it cannot read
        return (f"{number}{counter}",)
    return tuple(dict.fromkeys(forms))


# The applicant speaking of their own organisation (我们学校, 咱们公司): the documents call it the
# 依托单位 (the host of the laboratory).
_SELF = {"我们", "咱们", "我司", "本"}
_OWN_ORGANISATION = {"学校", "大学", "高校", "单位", "公司", "企业", "集团", "研究院", "研究所", "院所", "中心"}
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[a-zA-Z][a-zA-Z\-']*")


@dataclass(frozen=True)
class TermGroup:
    """One concept of the question: the word used and the document words that express it."""

    source: str
    variants: tuple[str, ...]
    weight: float
    source_in_corpus: bool = False
    lexicon: "Lexicon | None" = field(default=None, compare=False, repr=False)

    def _has(self, word: str, text: str) -> bool:
        if word not in text:
            return False
        if word[:1].isdigit():
            # 5项 is not in 15项.
            return re.search(rf"(?<![\d.]){re.escape(word)}", text) is not None
        if len(word) > 2 or self.lexicon is None or not _HAN_ONLY.match(word):
            return True
        # A two-character word must be a word of the text, not a chance pair across two words
        # (性质 is not in 共性质量).
        return word in self.lexicon.words(text)

    def matches(self, text: str) -> bool:
        return any(self._has(v, text) for v in self.variants)

    def strength(self, text: str) -> float:
        """1 when the text uses the applicant's own word, less when only a synonym matches
        (实验室主任 beats 学术委员会主任 for a question about 实验室主任)."""
        if self.source_in_corpus and self._has(self.source, text):
            return 1.0
        if self.matches(text):
            return 0.75 if self.source_in_corpus else 1.0
        return 0.0


@dataclass
class Lexicon:
    """Tokenizer, synonym maps and corpus term statistics, built once and passed in."""

    sentences: list[str] = field(default_factory=list)
    _tokenizer: object | None = None
    _df_cache: dict[str, int] = field(default_factory=dict)
    _words_cache: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Lexicon":
        sentences: list[str] = []
        for t in texts:
            sentences.extend(s for s in re.split(r"[。！？\n；]", t) if s.strip())
        return cls(sentences=sentences)

    @classmethod
    def from_corpus_dir(cls, corpus_dir: Path) -> "Lexicon":
        raw = Path(corpus_dir) / "raw"
        texts = [p.read_text(encoding="utf-8") for p in sorted(raw.glob("*.txt"))] if raw.is_dir() else []
        return cls.from_texts(texts)

    # -- tokens -------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tokenizer is None:
            import jieba

            import logging

            jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary loading otherwise
            tk = jieba.Tokenizer()
            for words in [DOMAIN_WORDS, *ZH_SYNONYMS, *ZH_SYNONYMS.values()]:
                for w in words:
                    if len(w) >= 2:
                        tk.add_word(w, freq=2000)
            self._tokenizer = tk
        return self._tokenizer

    def zh_tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for run in _ZH_RUN.findall(text):
            out.extend(w for w in self.tokenizer.lcut(run) if w.strip())
        return out

    def words(self, text: str) -> frozenset[str]:
        """The words of ``text`` in jieba's search mode (科研用房 gives 科研, 用房 and 科研用房)."""
        w = self._words_cache.get(text)
        if w is None:
            w = frozenset(t for run in _ZH_RUN.findall(text) for t in self.tokenizer.lcut_for_search(run))
            if len(self._words_cache) > 20000:
                self._words_cache.clear()
            self._words_cache[text] = w
        return w

    # -- statistics ---------------------------------------------------------------------------
    def df(self, term: str) -> int:
        if term not in self._df_cache:
            self._df_cache[term] = sum(1 for s in self.sentences if term in s)
        return self._df_cache[term]

    def idf(self, term: str) -> float:
        n = max(len(self.sentences), 1)
        return math.log((n + 1) / (self.df(term) + 1)) + 0.1

    def in_corpus(self, term: str) -> bool:
        return self.df(term) > 0

    # -- question -> term groups ----------------------------------------------------------------
    def term_groups(self, question: str) -> list[TermGroup]:
        """Concepts named by the question, each as the document words that express it."""
        groups: list[TermGroup] = []
        seen: set[tuple[str, ...]] = set()

        def add(source: str, variants: tuple[str, ...], cap: float | None = None) -> None:
            variants = tuple(dict.fromkeys(v for v in variants if v))
            key = tuple(sorted(variants))
            if not variants or key in seen:
                return
            seen.add(key)
            present = [v for v in variants if self.in_corpus(v)]
            if present:
                w = max(self.idf(v) for v in present)
            else:
                # A word the documents never use: it still counts against coverage (the documents
                # may not talk about it at all), but capped so one odd paraphrase cannot dominate.
                w = min(self.idf("\u0000"), 3.0)
            if cap is not None:
                w = min(w, cap)
            groups.append(TermGroup(source=source, variants=variants, weight=w, source_in_corpus=self.in_corpus(source), lexicon=self))

        lowered = question.lower()
        # English phrases first (longest first), then single words.
        consumed = lowered
        for phrase in sorted(EN_GLOSSARY, key=len, reverse=True):
            if re.search(rf"\b{re.escape(phrase)}\b", consumed):
                add(phrase, EN_GLOSSARY[phrase])
                consumed = re.sub(rf"\b{re.escape(phrase)}\b", " ", consumed)
        for word in _EN_WORD.findall(consumed):
            for stem in (word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("ed") else None,
                         word[:-3] if word.endswith("ing") else None):
                if stem and stem in EN_GLOSSARY:
                    add(stem, EN_GLOSSARY[stem])
                    break
        # An English content word outside the glossary cannot be matched against Chinese text; it
        # is left out rather than counted as missing (the dense leg of retrieval handles it).

        # Terms the applicant quotes (“卡脖子”) and years (2025年) are kept whole.
        for m in re.finditer(r"[“\"]([^”\"]{2,12})[”\"]", question):
            if self.in_corpus(m.group(1)):
                add(m.group(1), (m.group(1),))
        for m in re.finditer(r"(\d{4})\s*年", question):
            add(m.group(0), (m.group(1) + "年",))
        # A bare year (for 2025 and for 2035) names the same thing; the documents print it as 2025年.
        for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})(?![\d年])", question):
            add(m.group(1), (m.group(1) + "年",))
        for m in _DIGIT_QUANTITY.finditer(question):
            if m.group(2) == "年" and len(m.group(1)) >= 3:
                continue  # a year, handled above
            add(m.group(0), numeral_variants(m.group(1), m.group(2)), cap=_QUANTITY_WEIGHT)
        tokens = [_QWORD_PREFIX.sub("", t) or t for t in self.zh_tokens(question)]
        for i, tok in enumerate(tokens):
            if tok in ZH_STOP or tok in STOPWORDS or len(tok) < 2 and tok not in {"钱", "费", "管"}:
                continue
            variants: tuple[str, ...] = (tok,)
            if q := _ZH_QUANTITY.match(tok):
                add(tok, numeral_variants(q.group(1), q.group(2)), cap=_QUANTITY_WEIGHT)
                continue
            for triggers, doc_words in ZH_SYNONYMS.items():
                if tok in triggers:
                    variants = (tok, *doc_words) if doc_words else ()
                    break
            else:
                # The retrieval lexicon's expansions (assistant/lexicon.py) name document words too.
                if tok in EXPANSIONS:
                    variants = (tok, *EXPANSIONS[tok].split())
                elif not self.in_corpus(tok):
                    # A compound the documents never print (主攻方向, 省重点实验室): its known tail.
                    for i in range(1, len(tok) - 1):
                        tail = tok[i:]
                        hit = next((dw for tr, dw in ZH_SYNONYMS.items() if tail in tr), None)
                        if hit or self.in_corpus(tail):
                            variants = (tok, tail, *(hit or ()))
                            break
            if i > 0 and tokens[i - 1] in _SELF and tok in _OWN_ORGANISATION:
                # 我们学校 / 我们单位: the applicant's own organisation is the 依托单位 of the documents.
                variants = (*variants, "依托单位")
            add(tok, variants)
        return groups
