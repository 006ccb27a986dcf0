"""The words of the web interface in Chinese (default) and English.

One table for the chat UI, the eligibility form, the widget page and the rendered answers, so a
label is written once. Answers themselves come from the assistant in the question's language;
this module only covers the interface around them.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "国家质量标准实验室 申报咨询", "en": "State Quality & Standards Laboratory — Application Help"},
    "app_subtitle": {
        "zh": "依据《国家质量标准实验室管理办法》等政策文件解答申报问题，逐条注明出处。",
        "en": "Answers about applying, drawn from the policy documents, each with the article it comes from.",
    },
    "notice": {
        "zh": "本助手的回答仅供参考，不构成官方认定或审批意见；以正式发布的文件和推荐单位、主管部门的答复为准。",
        "en": "Answers are guidance only, not an official decision. The published documents and the "
        "recommending / competent departments have the final word.",
    },
    "tab_chat": {"zh": "政策问答", "en": "Ask"},
    "tab_form": {"zh": "申报条件自测", "en": "Eligibility check"},
    "placeholder": {"zh": "请输入您的问题，例如：申报需要满足哪些条件？", "en": "Type your question, e.g. What are the conditions to apply?"},
    "send": {"zh": "发送", "en": "Send"},
    "clear": {"zh": "新对话", "en": "New chat"},
    "chat_empty": {
        "zh": "您好！我可以解答国家质量标准实验室的申报条件、推荐程序、评审与验收等问题。也可以告诉我实验室的面积、设备、项目等数据，我来对照第十二条逐项核对。",
        "en": "Hello! Ask me about the conditions, the recommendation procedure, review and acceptance of State "
        "Quality & Standards Laboratories — or give me your lab's figures and I will check them against Article 12.",
    },
    "sources": {"zh": "依据条文", "en": "Sources"},
    "more_sources": {"zh": "展开其余 {n} 条出处", "en": "Show {n} more sources"},
    "placeholder_short": {"zh": "请输入您的问题", "en": "Type your question"},
    "open_article": {"zh": "查看原文", "en": "Open article"},
    "copy": {"zh": "复制回答及出处", "en": "Copy answer with sources"},
    "copied": {"zh": "已复制", "en": "Copied"},
    "feedback_thanks": {"zh": "感谢您的评价。如愿意，可补充说明（可选）：", "en": "Thank you. Anything to add? (optional)"},
    "feedback_comment_ph": {"zh": "哪里不准确或不清楚？", "en": "What was wrong or unclear?"},
    "feedback_submit": {"zh": "提交意见", "en": "Send comment"},
    "feedback_saved": {"zh": "意见已记录，谢谢！", "en": "Comment saved, thank you!"},
    "like": {"zh": "有帮助", "en": "Helpful"},
    "dislike": {"zh": "没有帮助", "en": "Not helpful"},
    "examples_title": {"zh": "您可以这样问：", "en": "You can ask:"},
    "error_generic": {"zh": "抱歉，服务暂时出现问题，请稍后再试。", "en": "Sorry, something went wrong. Please try again."},
    "thinking": {"zh": "正在检索政策文件…", "en": "Searching the documents…"},
    # eligibility
    "elig_title": {"zh": "申报条件核对（第十二条）", "en": "Eligibility check (Article 12)"},
    "elig_intro": {
        "zh": "填写实验室的基本数据，对照《国家质量标准实验室管理办法》第十二条逐项核对。未填写的项目将标为“未提供”。",
        "en": "Enter your lab's figures to check them against Article 12 of the Measures. Items left empty are marked "
        "as not provided.",
    },
    "f_area": {"zh": "科研用房面积（平方米）", "en": "Research floor area (m²)"},
    "f_equipment": {"zh": "仪器设备现值（万元）", "en": "Instrument & equipment present value (10k CNY, 万元)"},
    "f_projects_count": {"zh": "近5年承担国家级科研项目数（项）", "en": "National-level projects, last 5 years (count)"},
    "f_projects_funding": {"zh": "近5年国家级科研项目经费（万元）", "en": "Funding of those projects, last 5 years (万元)"},
    "f_standards": {"zh": "近3年主导制修订国家/行业标准或检验检测方法（项）", "en": "Standards / test methods led, last 3 years (count)"},
    "f_transfers": {"zh": "近3年成果转化数（项）", "en": "Results transferred, last 3 years (count)"},
    "f_service": {"zh": "近3年质量技术服务收入（万元）", "en": "Quality technical service revenue, last 3 years (万元)"},
    "f_affiliation": {"zh": "依托单位隶属", "en": "Host institution"},
    "aff_central": {"zh": "中央级（在京科研院所、高校、中央企业等）", "en": "Central level (central institutes, universities, central SOEs)"},
    "aff_local": {"zh": "地方", "en": "Local"},
    "aff_unknown": {"zh": "不确定", "en": "Not sure"},
    "f_level": {"zh": "现有实验室级别", "en": "Current level of the lab"},
    "level_none": {"zh": "无", "en": "None"},
    "level_provincial": {"zh": "省级", "en": "Provincial"},
    "level_ministerial": {"zh": "部级", "en": "Ministerial"},
    "f_years": {"zh": "已运行年数（年）", "en": "Years running"},
    "elig_submit": {"zh": "开始核对", "en": "Check"},
    "elig_reset": {"zh": "清空", "en": "Reset"},
    "err_negative": {"zh": "“{field}”不能为负数，请检查后重新填写。", "en": "“{field}” cannot be negative. Please correct it."},
    "err_integer": {"zh": "“{field}”应为整数。", "en": "“{field}” must be a whole number."},
    "err_number": {"zh": "“{field}”请填写数字（单位见栏目名称）。", "en": "“{field}” must be a number (unit in the label)."},
    "err_empty_form": {"zh": "请至少填写一项数据。", "en": "Please fill in at least one figure."},
    # report
    "col_condition": {"zh": "条件", "en": "Condition"},
    "col_status": {"zh": "结果", "en": "Result"},
    "col_detail": {"zh": "说明", "en": "Details"},
    "col_clause": {"zh": "依据", "en": "Clause"},
    "overall": {"zh": "总体判断", "en": "Overall"},
    "channel": {"zh": "推荐渠道", "en": "Recommendation channel"},
    "priority": {"zh": "优先条件", "en": "Priority"},
    "next_steps": {"zh": "下一步准备", "en": "What to prepare next"},
    "warnings": {"zh": "提示", "en": "Notes"},
    "elig_note": {
        "zh": "说明：本核对只按第十二条比对您提供的数字；定性条件由专家评审认定，结果不代表评审结论。",
        "en": "This check compares the figures you gave with Article 12 only; qualitative conditions are judged "
        "by the expert review, so this is not a review decision.",
    },
}

STATUS: dict[str, dict[str, str]] = {
    "met": {"zh": "符合", "en": "Met"},
    "not_met": {"zh": "不符合", "en": "Not met"},
    "unknown": {"zh": "未提供", "en": "Not provided"},
    "needs_review": {"zh": "需专家评审", "en": "Expert review"},
}

OVERALL: dict[str, dict[str, str]] = {
    "likely_eligible": {"zh": "初步符合申报条件", "en": "Likely eligible"},
    "not_eligible": {"zh": "暂不符合申报条件", "en": "Not eligible yet"},
    "incomplete": {"zh": "信息不完整，暂无法判断", "en": "Incomplete — more figures needed"},
}

CHANNEL: dict[str, dict[str, str]] = {
    "central": {"zh": "由依托单位的主管部门推荐（第十条）", "en": "Recommended by the host's competent department (Art. 10)"},
    "local": {
        "zh": "由省级市场监管部门会同工业和信息化主管部门推荐（第十条）",
        "en": "Recommended jointly by the provincial market regulation and industry & IT departments (Art. 10)",
    },
    "unknown": {"zh": "取决于依托单位隶属关系（第十条）", "en": "Depends on the host's affiliation (Art. 10)"},
}

# Criterion ids of the eligibility report (issue 4) and how the interface names them.
CRITERIA: dict[str, dict[str, str]] = {
    "area": {"zh": "科研用房面积", "en": "Research floor area"},
    "equipment": {"zh": "仪器设备现值", "en": "Equipment present value"},
    "facilities": {"zh": "设施条件", "en": "Facilities"},
    "team": {"zh": "学术团队", "en": "Academic team"},
    "projects": {"zh": "国家级科研项目", "en": "National-level projects"},
    "research": {"zh": "科研基础", "en": "Research base"},
    "achievements": {"zh": "标志性成果（五项中任三项）", "en": "Achievements (any three of five)"},
    "achievements.standards": {"zh": "主导制修订标准", "en": "Standards led"},
    "achievements.transfer": {"zh": "成果转化 / 质量技术服务", "en": "Transfers / technical services"},
    "support": {"zh": "依托单位支持", "en": "Host support"},
    "host": {"zh": "依托单位类型（第五条）", "en": "Host type (Art. 5)"},
}

DOC_STATUS: dict[str, dict[str, str]] = {
    "in_force": {"zh": "现行有效", "en": "In force"},
    "draft_for_comment": {"zh": "征求意见稿", "en": "Draft for comment"},
    "reprint": {"zh": "转载文本", "en": "Reprint"},
    "excerpt": {"zh": "摘录", "en": "Excerpt"},
    "superseded": {"zh": "已被新版替代", "en": "Superseded"},
}

EXAMPLES: dict[str, list[str]] = {
    "zh": [
        "申报国家质量标准实验室需要满足哪些条件？",
        "地方单位由谁推荐申报？",
        "我们科研用房4200平方米，设备现值6800万元，近五年国家级项目12项、经费2600万元，能申报吗？",
        "建设期满后如何验收？",
    ],
    "en": [
        "What are the conditions to apply?",
        "Who recommends a local institution?",
        "Our lab has 4,200 m² of research space and equipment worth 68 million yuan. Can we apply?",
        "How is a laboratory accepted at the end of construction?",
    ],
}


def t(key: str, lang: str, **kw: object) -> str:
    """The interface string ``key`` in ``lang`` (falls back to Chinese)."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**kw) if kw else text


def label(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    """A value's label from one of the tables above; unknown keys are shown as they are."""
    if key is None:
        return ""
    entry = table.get(key)
    return (entry.get(lang) or entry["zh"]) if entry else str(key)
