"""The eligibility check: 第十二条 of 《国家质量标准实验室管理办法》 as code.

    from assistant import eligibility
    report = eligibility.check("我们科研用房4200平方米，设备现值6800万元……")
    print(eligibility.render(report))

- ``check(profile_or_text, base=None, lang=None)``: read figures from text (or take a profile,
  a dict of canonical figures), apply them on top of ``base`` (follow-up messages), evaluate;
- ``extract_profile(text, base=None)``: only the reading of figures;
- ``has_lab_figures(text)``: does a chat message carry the lab's own figures?
- ``history_profile(history)``: the figures stated in a conversation's earlier user messages;
- ``render(report, lang=None)``: the report as plain text in Chinese or English.

The numbers are compared in code; no model is involved. See ``conditions`` for the rule as data,
``extract`` for the reading of free text, ``evaluate`` for the verdict logic.
"""

from __future__ import annotations

from typing import Any

from assistant.eligibility.evaluate import evaluate
from assistant.eligibility.extract import extract_profile, has_lab_figures
from assistant.eligibility.profile import LabProfile
from assistant.eligibility.report import EligibilityReport, render_text

__all__ = ["check", "extract_profile", "has_lab_figures", "history_profile", "render", "LabProfile", "EligibilityReport", "detect_language"]


def render(report: EligibilityReport, lang: str | None = None) -> str:
    """The report as plain text in Chinese or English (another language than the report's
    evaluates its profile again: the evaluation is pure and cheap)."""
    lang = lang if lang in ("zh", "en") else report.language
    if lang != report.language:
        report = evaluate(report.profile, lang=lang)
    return render_text(report)


def detect_language(text: str) -> str:
    from assistant.language import detect_language as _detect

    return _detect(text or "")


def history_profile(history: list | None) -> LabProfile | None:
    """The lab's figures stated in earlier user messages of a chat (later ones winning), or None.

    ``history`` is a list of ``{"role", "content"}`` turns; the base a follow-up message updates
    (设备其实是5200万)."""
    base = None
    for turn in history or []:
        text = turn.get("content") if isinstance(turn, dict) else None
        if isinstance(text, str) and turn.get("role") == "user" and has_lab_figures(text):
            base = extract_profile(text, base=base)
    return base


def check(
    profile_or_text: LabProfile | dict[str, Any] | str,
    base: LabProfile | None = None,
    lang: str | None = None,
) -> EligibilityReport:
    """Evaluate a lab against 第十二条.

    ``profile_or_text`` is free text (Chinese or English), a ``LabProfile`` or a dict of its fields.
    With ``base`` (the profile of earlier messages), what the new input states replaces the old
    values. ``lang`` defaults to the language of the text, else Chinese.
    """
    if isinstance(profile_or_text, str):
        profile = extract_profile(profile_or_text, base=base)
        lang = lang or detect_language(profile_or_text)
    else:
        update = profile_or_text if isinstance(profile_or_text, LabProfile) else LabProfile.model_validate(profile_or_text)
        profile = base.merge(update) if base is not None else update
    return evaluate(profile, lang=lang or "zh")
